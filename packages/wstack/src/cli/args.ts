/** Argument parsing shared by the CLI's commands: clear messages, exit code 2 for bad usage. */


export class UsageFailure extends Error {
  override readonly name = 'UsageFailure';
}

/** Runs a parseArgs call for a command; its complaints become usage failures that point to the command's help. */
export function parsed<T>(parse: () => T, command: string): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageFailure(`${(error as Error).message.replace(/\. To specify a positional argument.*$/s, '')}\n(wstack help ${command} lists the options)`);
  }
}

export const HELP = { help: { type: 'boolean', short: 'h' } } as const;

export function port(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65535) throw new UsageFailure(`--port must be a number from 0 to 65535, not ${JSON.stringify(value)}`);
  return number;
}
