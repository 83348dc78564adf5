import { abi_version } from "../index";
import { ABI_VERSION } from "../abi";
describe("smoke", () => { it("has abi", () => { expect(abi_version()).toBe(ABI_VERSION); }); });
