// Tests that set environment variables put them back as they found them after each test.
export function restoreEnvAfterEach(names: readonly string[]): void {
  const saved = names.map((name) => process.env[name]);
  afterEach(() => {
    names.forEach((name, i) => {
      if (saved[i] === undefined) delete process.env[name];
      else process.env[name] = saved[i];
    });
  });
}
