// Which process of a service this is, for telling replicas apart in traces and tool output:
// TRACEMESH_INSTANCE_ID, else TOOLWORKER_ID (set by `tracemesh up --workers N`: "toolworker-2"…),
// else host:pid — a pod's name in Kubernetes.
import { hostname } from 'node:os';

export function instanceId(): string {
  return process.env.TRACEMESH_INSTANCE_ID?.trim() || process.env.TOOLWORKER_ID?.trim() || `${hostname()}:${process.pid}`;
}
