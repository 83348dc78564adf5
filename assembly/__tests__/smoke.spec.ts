import { abi_version } from "../index";
describe("smoke", () => { it("has abi", () => { expect(abi_version()).toBe(2); }); });
