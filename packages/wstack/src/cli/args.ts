/** Argument parsing shared by the CLI's commands: clear messages, exit code 2 for bad usage. */


export class UsageFailure extends Error {
  override readonly name = 'UsageFailure';
}

/** Runs a parseArgs call; its complaints become usage failures that show the usage. */
export function parsed<T>(parse: () => T, usage: string): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageFailure(`${(error as Error).message}\n\n${usage}`);
  }
}

export const HELP = { help: { type: 'boolean', short: 'h' } } as const;

export function port(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65535) throw new UsageFailure(`--port must be a number from 0 to 65535, not ${JSON.stringify(value)}`);
  return number;
}
