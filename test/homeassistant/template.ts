// A tiny renderer for the Jinja subset edgelearn's discovery templates use, with Home Assistant's
// semantics: `{{ expr }}` where expr is a path into value_json, a string/number/none literal,
// `a in b`, `not`, `and`, `or`, `x if cond else y`, `is (not) defined`, and the filter
// `| default(x)`. Values render as Python prints them (None, True, 1.5). Anything else is a
// syntax error, so a template outside the subset fails the test instead of passing unchecked.

type Val = unknown;
const UNDEFINED = Symbol("undefined");

class Parser {
  private i = 0;
  private readonly toks: string[];
  constructor(
    src: string,
    private readonly vars: Record<string, Val>,
  ) {
    this.toks = src.match(/\s*('[^']*'|"[^"]*"|\d+(?:\.\d+)?|[A-Za-z_]\w*|\(|\)|\.|\||,|\[|\])/gy)?.map((t) => t.trim()) ?? [];
    if (this.toks.join("").replace(/\s/g, "") !== src.replace(/\s/g, "")) throw new SyntaxError(`cannot tokenize template expression: ${src}`);
  }
  private peek(): string | undefined {
    return this.toks[this.i];
  }
  private take(expect?: string): string {
    const t = this.toks[this.i++];
    if (t === undefined || (expect !== undefined && t !== expect)) throw new SyntaxError(`expected ${expect ?? "a token"}, got ${t}`);
    return t;
  }
  parseAll(): Val {
    const v = this.ternary();
    if (this.i !== this.toks.length) throw new SyntaxError(`unexpected ${this.peek()}`);
    return v;
  }
  private ternary(): Val {
    const a = this.or();
    if (this.peek() === "if") {
      this.take();
      const c = this.or();
      this.take("else");
      const b = this.ternary();
      return truthy(c) ? a : b;
    }
    return a;
  }
  private or(): Val {
    let v = this.and();
    while (this.peek() === "or") {
      this.take();
      const r = this.and();
      v = truthy(v) ? v : r;
    }
    return v;
  }
  private and(): Val {
    let v = this.not();
    while (this.peek() === "and") {
      this.take();
      const r = this.not();
      v = truthy(v) ? r : v;
    }
    return v;
  }
  private not(): Val {
    if (this.peek() === "not") {
      this.take();
      return !truthy(this.not());
    }
    return this.test();
  }
  private test(): Val {
    const v = this.filtered();
    if (this.peek() === "in") {
      this.take();
      const c = this.filtered();
      if (Array.isArray(c)) return c.includes(v);
      if (typeof c === "string" && typeof v === "string") return c.includes(v);
      throw new TypeError(`'in' needs a list or a string, got ${show(c)}`);
    }
    if (this.peek() === "is") {
      this.take();
      const neg = this.peek() === "not" ? (this.take(), true) : false;
      this.take("defined");
      return neg ? v === UNDEFINED : v !== UNDEFINED;
    }
    return v;
  }
  private filtered(): Val {
    let v = this.primary();
    while (this.peek() === "|") {
      this.take();
      const name = this.take();
      if (name !== "default") throw new SyntaxError(`filter ${name} is outside the subset`);
      this.take("(");
      const d = this.ternary();
      this.take(")");
      if (v === UNDEFINED) v = d;
    }
    return v;
  }
  private primary(): Val {
    const t = this.take();
    if (t === "(") {
      const v = this.ternary();
      this.take(")");
      return v;
    }
    if (/^['"]/.test(t)) return t.slice(1, -1);
    if (/^\d/.test(t)) return Number(t);
    if (t === "none" || t === "None") return null;
    if (t === "true" || t === "True") return true;
    if (t === "false" || t === "False") return false;
    if (!/^[A-Za-z_]\w*$/.test(t)) throw new SyntaxError(`unexpected ${t}`);
    let v: Val = t in this.vars ? this.vars[t] : UNDEFINED;
    while (this.peek() === "." || this.peek() === "[") {
      const key = this.take() === "." ? this.take() : (() => {
        const k = this.take();
        this.take("]");
        return /^['"]/.test(k) ? k.slice(1, -1) : k;
      })();
      v = v !== null && typeof v === "object" && key in (v as object) ? (v as Record<string, Val>)[key] : UNDEFINED;
    }
    return v;
  }
}

function truthy(v: Val): boolean {
  if (v === UNDEFINED || v === null || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

function show(v: Val): string {
  if (v === null) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(v);
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

export interface Rendered {
  text: string;
  /** Paths that were undefined and rendered empty (Home Assistant logs a warning for each). */
  undefinedUsed: boolean;
}

/** Renders `template` with `value_json` = the parsed payload (as Home Assistant does for MQTT). */
export function renderTemplate(template: string, payload: string): Rendered {
  let valueJson: Val = UNDEFINED;
  try {
    valueJson = JSON.parse(payload);
  } catch {
    /* value_json stays undefined, as in HA */
  }
  let undefinedUsed = false;
  const text = template.replace(/\{\{([\s\S]*?)\}\}/g, (_, expr: string) => {
    const v = new Parser(expr.trim(), { value_json: valueJson, value: payload }).parseAll();
    if (v === UNDEFINED) {
      undefinedUsed = true;
      return "";
    }
    return show(v);
  });
  if (/\{%|\{#/.test(text)) throw new SyntaxError("statements and comments are outside the subset");
  return { text, undefinedUsed };
}
