/**
 * Parts of the option lists the HTTP/3 server and client check at their
 * public entry points (the server's constructor, `connect`; the lists are
 * made there from their options types): the tuning's names, and what to
 * say about the names a ws user may bring.
 */
import { WS_CLIENT_OPTION_ADVICE, WS_SERVER_OPTION_ADVICE, type OptionNames } from '@wstack/core';
import type { Http3Tuning } from './tuning.js';

export const TUNING_OPTION_NAMES: OptionNames<Http3Tuning> = {
  maxIdleTimeout: true,
  keepAliveInterval: true,
  maxUdpPayloadSize: true,
  streamWindow: true,
  connectionWindow: true,
  receiveBudget: true,
  maxStreams: true,
  udpBufferSize: true,
};

export const SERVER_ADVICE = {
  ...WS_SERVER_OPTION_ADVICE,
  port: 'the http3 WebSocketServer does not listen by itself: call listen({ port, tls }), or use createServer({ port, tls }) of wstack',
  host: 'the http3 WebSocketServer does not listen by itself: call listen({ host, tls })',
  tls: 'give it to listen({ tls })',
  server: 'HTTP/3 runs on a QUIC server of its own: call listen({ port, tls })',
  noServer: 'HTTP/3 runs on a QUIC server of its own: call listen({ port, tls })',
};

export const CLIENT_ADVICE = WS_CLIENT_OPTION_ADVICE;
