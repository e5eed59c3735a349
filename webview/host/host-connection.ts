/**
 * The dashboard's end of the host ↔ webview channel: the same RpcEndpoint the
 * host uses, carried by postMessage in one direction and window "message"
 * events in the other. Anything that is not a well-formed wire message (a
 * browser extension, a stray frame) is dropped before it reaches a handler.
 */
import type { DashboardToHost, HostToDashboard } from '../../src/protocol.js';
import { RpcEndpoint, isWireMessage } from '../../src/rpc.js';
import type { VsCodeApi } from './vscode-api.js';

// The webview serves no requests and receives no request events: an empty event map.
export type HostConnection = RpcEndpoint<HostToDashboard, DashboardToHost, Record<string, never>>;

export function connectToHost(api: VsCodeApi<unknown>): HostConnection {
  const endpoint: HostConnection = new RpcEndpoint((message) => api.postMessage(message));
  window.addEventListener('message', (event: MessageEvent) => {
    if (isWireMessage(event.data)) endpoint.receive(event.data);
  });
  return endpoint;
}
