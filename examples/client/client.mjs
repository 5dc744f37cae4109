// A Node client that picks its transport: auto (the best the server speaks) unless told.
//   node client.mjs URL [auto|h1|h2|h3] [--ca FILE | --insecure]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { connect, ConnectError } from 'wstack';

export async function talk(url, { transport = 'auto', tls, messages = ['hello'] } = {}) {
  const connection = await connect(url, { transport, tls });
  const replies = [];
  const done = new Promise((resolve) => {
    connection.on('message', (data) => {
      replies.push(data.toString());
      if (replies.length === messages.length) connection.close(1000);
    });
    connection.once('close', resolve);
  });
  for (const message of messages) connection.send(message);
  const { code } = await done;
  return { transport: connection.transport, replies, code };
}

/** One line for a failed connection; an untrusted certificate (the development one of `wstack serve`) gets the way out. */
export function failure(url, error) {
  const causes = error instanceof ConnectError ? error.attempts.map((attempt) => attempt.error) : [error];
  const untrusted = causes.find((cause) => /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(cause?.code ?? ''));
  if (untrusted) return `${url}: the server's certificate is not trusted (${untrusted.code}); pass --ca FILE with its CA, or --insecure for a development certificate`;
  return `${url}: ${error.message}`;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const ca = args.includes('--ca') ? args[args.indexOf('--ca') + 1] : undefined;
  const [url = 'wss://127.0.0.1:8443/', transport = 'auto'] = args.filter((arg, i) => !arg.startsWith('--') && args[i - 1] !== '--ca');
  const tls = args.includes('--insecure') ? { rejectUnauthorized: false } : ca ? { ca: readFileSync(ca, 'utf8') } : undefined;
  try {
    const result = await talk(url, { transport, tls });
    console.log(`over ${result.transport}: ${result.replies.join(', ')} (closed ${result.code})`);
  } catch (error) {
    console.error(failure(url, error));
    process.exitCode = 1;
  }
}
