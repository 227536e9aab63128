/**
 * An HTTP proxy on 127.0.0.1 in front of an S3 endpoint that injects faults into chosen requests,
 * to show that retries give back the same bytes and that errors are classified right.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Fault =
  /** Close the connection without answering. */
  | { kind: "reset" }
  /** Answer with this status and S3 error code (503 SlowDown, 500 InternalError, 403, 404, ...). */
  | { kind: "status"; status: number; code: string }
  /** Send the real headers and only part of the body, then cut the connection. */
  | { kind: "truncate"; fraction?: number }
  /** Wait before forwarding (longer than the client's timeout → a timeout). */
  | { kind: "delay"; ms: number }
  /** Forward the real answer with one byte of the body flipped. */
  | { kind: "corrupt" };

export interface LoggedRequest {
  method: string;
  url: string;
  range?: string;
  authorization: boolean;
  fault?: Fault["kind"];
}

export interface FaultProxy {
  url: string;
  requests: LoggedRequest[];
  /** Faults for the next matching requests, in order (`undefined` = pass through). */
  inject(faults: (Fault | undefined)[], match?: (req: IncomingMessage) => boolean): void;
  /** How many injected faults are still waiting. */
  pending(): number;
  close(): Promise<void>;
}

/** By default faults hit object reads: GET requests on a key (path with a bucket and a key). */
export const isObjectGet = (req: IncomingMessage): boolean =>
  req.method === "GET" && /^\/[^/?]+\/[^?]+/.test(req.url ?? "");

function s3ErrorBody(code: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected ${code}</Message></Error>`;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let queue: (Fault | undefined)[] = [];
  let matcher: (req: IncomingMessage) => boolean = isObjectGet;
  const requests: LoggedRequest[] = [];
  const sockets = new Set<import("node:net").Socket>();

  const forward = (req: IncomingMessage, res: ServerResponse, fault: Fault | undefined) => {
    const up = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (upRes) => {
        if (fault?.kind !== "truncate" && fault?.kind !== "corrupt") {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        upRes.on("data", (c: Buffer) => chunks.push(c));
        upRes.on("end", () => {
          const body = Buffer.concat(chunks);
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          if (fault.kind === "corrupt") {
            if (body.length > 0) body[body.length >> 1] = (body[body.length >> 1] ?? 0) ^ 0xff;
            res.end(body);
            return;
          }
          const keep = Math.floor(body.length * (fault.fraction ?? 0.5));
          res.write(body.subarray(0, keep), () => {
            // Give the bytes a moment to leave, then cut the connection mid-body.
            setTimeout(() => res.socket?.destroy(), 10);
          });
        });
      },
    );
    up.on("error", () => res.socket?.destroy());
    req.pipe(up);
  };

  const server: Server = createServer((req, res) => {
    const fault = matcher(req) ? queue.shift() : undefined;
    const entry: LoggedRequest = {
      method: req.method ?? "",
      url: req.url ?? "",
      authorization: req.headers.authorization !== undefined,
    };
    if (typeof req.headers.range === "string") entry.range = req.headers.range;
    if (fault) entry.fault = fault.kind;
    requests.push(entry);
    switch (fault?.kind) {
      case "reset":
        req.socket.destroy();
        return;
      case "status": {
        const body = s3ErrorBody(fault.code);
        res.writeHead(fault.status, {
          "content-type": "application/xml",
          "content-length": Buffer.byteLength(body),
        });
        res.end(req.method === "HEAD" ? undefined : body);
        return;
      }
      case "delay":
        setTimeout(() => {
          if (!req.socket.destroyed) forward(req, res, undefined);
        }, fault.ms);
        return;
      default:
        forward(req, res, fault);
    }
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    inject(faults, match = isObjectGet) {
      queue = [...faults];
      matcher = match;
    },
    pending: () => queue.filter((f) => f !== undefined).length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
