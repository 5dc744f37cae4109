// A Node client that picks its transport: auto (the best the server speaks) unless told.
//   node client.mjs URL [auto|h1|h2|h3] [--insecure]
import { pathToFileURL } from 'node:url';
import { connect } from 'wstack';

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

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [url = 'wss://127.0.0.1:8443/', transport = 'auto'] = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
  const tls = process.argv.includes('--insecure') ? { rejectUnauthorized: false } : undefined;
  const result = await talk(url, { transport, tls });
  console.log(`over ${result.transport}: ${result.replies.join(', ')} (closed ${result.code})`);
}
