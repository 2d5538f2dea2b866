// The deployment files checked against the code they deploy: every Kubernetes manifest in
// deploy/k8s/ is parsed (as kubectl reads YAML: 1.1) and held to the invariants that matter —
// probes of the right kind on the right ports, ports and targets agreeing with lib/config.ts and
// with each other, every environment variable name one the code actually reads (collected here from
// lib/ and services/ with the TypeScript parser, not listed by hand), hardening, resources, the
// headless worker Service, the HPA, termination grace — and every Dockerfile in deploy/docker/ to
// its own: non-root, the entry point, and a COPY for every file the service imports or reads.
// No Kubernetes JSON schemas are available offline, so these checks are the validation.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { loadAll, YAML11_SCHEMA } from 'js-yaml';
import ts from 'typescript';
import { DEFAULT_PORTS } from '../../lib/config.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const k8sDir = join(repo, 'deploy', 'k8s');
const dockerDir = join(repo, 'deploy', 'docker');

// ---- the manifests, as loosely typed as YAML is ----

interface Metadata {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
}
interface Probe {
  grpc?: { port: number; service?: string };
  httpGet?: { path: string; port: number | string };
  tcpSocket?: { port: number | string };
  exec?: unknown;
  periodSeconds?: number;
  failureThreshold?: number;
}
interface EnvVar {
  name: string;
  value?: unknown;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
  };
}
interface Container {
  name: string;
  image: string;
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
  securityContext?: SecurityContext;
  volumeMounts?: { name: string; mountPath: string }[];
}
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  privileged?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type: string };
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: SecurityContext & { fsGroup?: number };
  enableServiceLinks?: boolean;
  automountServiceAccountToken?: boolean;
  terminationGracePeriodSeconds?: number;
  nodeSelector?: Record<string, string>;
  volumes?: { name: string; emptyDir?: unknown; persistentVolumeClaim?: { claimName: string } }[];
}
interface Workload {
  apiVersion: string;
  kind: 'Deployment' | 'StatefulSet';
  metadata: Metadata;
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
    volumeClaimTemplates?: { metadata: { name: string } }[];
  };
}
interface Service {
  kind: 'Service';
  metadata: Metadata;
  spec: {
    type?: string;
    clusterIP?: string;
    selector: Record<string, string>;
    ports: { name?: string; port: number; targetPort?: number | string }[];
  };
}
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: Metadata;
  // Everything else is read through the narrower types above, per kind.
  [field: string]: unknown;
}

function parseYaml(file: string): unknown[] {
  // YAML 1.1, as kubectl reads manifests: there `on`, `yes` and `true` are booleans.
  return loadAll(readFileSync(file, 'utf8'), { schema: YAML11_SCHEMA }).filter((doc) => doc !== null && doc !== undefined);
}

interface Kustomization {
  namespace?: string;
  resources: string[];
  images?: { name: string; newName?: string; newTag?: string }[];
}

const kustomization = parseYaml(join(k8sDir, 'kustomization.yaml'))[0] as Kustomization;
const manifestFiles = kustomization.resources;
const manifests: (Manifest & { file: string })[] = manifestFiles.flatMap((file) =>
  parseYaml(join(k8sDir, file)).map((doc) => ({ ...(doc as Manifest), file })),
);

function all<T>(kind: string): T[] {
  return manifests.filter((m) => m.kind === kind) as unknown as T[];
}
function one<T>(kind: string, name: string): T {
  const found = manifests.filter((m) => m.kind === kind && m.metadata.name === name);
  assert.equal(found.length, 1, `expected exactly one ${kind} "${name}" in deploy/k8s, found ${found.length}`);
  return found[0] as unknown as T;
}

const workloads = [...all<Workload>('Deployment'), ...all<Workload>('StatefulSet')];
const namespace = one<Manifest>('Namespace', kustomization.namespace ?? 'tracemesh').metadata.name;
const configMap = one<Manifest & { data: Record<string, unknown> }>('ConfigMap', 'tracemesh-config');
const config = configMap.data;
const secret = one<Manifest & { stringData?: Record<string, unknown>; data?: Record<string, unknown> }>('Secret', 'tracemesh-secrets');
const secretKeys = Object.keys({ ...secret.data, ...secret.stringData });

function configString(key: string): string {
  const value = config[key];
  assert.equal(typeof value, 'string', `ConfigMap ${configMap.metadata.name} must set ${key} (as a string)`);
  return value as string;
}

// ---- the environment variables the code reads, found in its source ----

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : tsFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/**
 * Names read as `process.env.X`, `process.env['X']`, `const { X } = process.env`, or passed as a
 * string literal to a reader: a function whose first parameter indexes `process.env` (config.ts's
 * `env`, server.ts's `envMs`) or is handed on to another reader (`intEnv`). Found to a fixed point.
 */
function envNamesReadByCode(): Set<string> {
  const sources = [...tsFiles(join(repo, 'lib')), ...tsFiles(join(repo, 'services'))].map((file) =>
    ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true),
  );
  const names = new Set<string>();
  const isProcessEnv = (node: ts.Node): boolean =>
    ts.isPropertyAccessExpression(node) && node.name.text === 'env' && ts.isIdentifier(node.expression) && node.expression.text === 'process';
  const envName = (text: string): string | undefined => (/^[A-Z][A-Z0-9_]*$/.test(text) ? text : undefined);

  interface Fn {
    name: string;
    param: string;
    body: ts.Node;
  }
  const functions: Fn[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && isProcessEnv(node.expression)) {
      const name = envName(node.name.text);
      if (name) names.add(name);
    }
    if (ts.isElementAccessExpression(node) && isProcessEnv(node.expression) && ts.isStringLiteralLike(node.argumentExpression)) {
      const name = envName(node.argumentExpression.text);
      if (name) names.add(name);
    }
    if (ts.isVariableDeclaration(node) && node.initializer && isProcessEnv(node.initializer) && ts.isObjectBindingPattern(node.name)) {
      for (const element of node.name.elements) {
        const key = element.propertyName ?? element.name;
        if (ts.isIdentifier(key) && envName(key.text)) names.add(key.text);
      }
    }
    let fnName: string | undefined;
    let fn: ts.SignatureDeclaration & { body?: ts.Node } | undefined;
    if (ts.isFunctionDeclaration(node) && node.name) [fnName, fn] = [node.name.text, node];
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer &&
        (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer))) {
      [fnName, fn] = [node.name.text, node.initializer];
    }
    const first = fn?.parameters[0];
    if (fnName && fn?.body && first && ts.isIdentifier(first.name)) functions.push({ name: fnName, param: first.name.text, body: fn.body });
    ts.forEachChild(node, visit);
  };
  for (const source of sources) visit(source);

  const readers = new Set<string>();
  const passesParamOn = (fn: Fn): boolean => {
    let found = false;
    const isParam = (node: ts.Node | undefined): boolean => node !== undefined && ts.isIdentifier(node) && node.text === fn.param;
    const walk = (node: ts.Node): void => {
      if (ts.isElementAccessExpression(node) && isProcessEnv(node.expression) && isParam(node.argumentExpression)) found = true;
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && readers.has(node.expression.text) && isParam(node.arguments[0])) found = true;
      if (!found) ts.forEachChild(node, walk);
    };
    walk(fn.body);
    return found;
  };
  for (let grew = true; grew; ) {
    grew = false;
    for (const fn of functions) {
      if (!readers.has(fn.name) && passesParamOn(fn)) {
        readers.add(fn.name);
        grew = true;
      }
    }
  }
  const collectCalls = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && readers.has(node.expression.text)) {
      const arg = node.arguments[0];
      const name = arg && ts.isStringLiteralLike(arg) ? envName(arg.text) : undefined;
      if (name) names.add(name);
    }
    ts.forEachChild(node, collectCalls);
  };
  for (const source of sources) collectCalls(source);
  return names;
}

const codeEnvNames = envNamesReadByCode();

// ---- helpers ----

/** CPU in millicores or memory in bytes, from a Kubernetes quantity. */
function quantity(value: string | number): number {
  const text = String(value);
  const match = /^([0-9.]+)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(text);
  assert.ok(match, `not a quantity: ${text}`);
  const factor: Record<string, number> = {
    m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4,
  };
  return Number(match[1]) * (match[2] ? factor[match[2]]! : 1);
}

function containerPort(container: Container, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

function isTracemeshImage(container: Container): boolean {
  return container.image.startsWith('tracemesh/');
}

/** The effective pod+container security setting: the container's wins. */
function effective<K extends keyof SecurityContext>(pod: PodSpec, container: Container, key: K): SecurityContext[K] {
  return container.securityContext?.[key] ?? pod.securityContext?.[key];
}

function serviceForUrl(value: string): { service: Service; port: number } {
  const match = /^(?:dns:\/\/\/|https?:\/\/)?([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local:(\d+)$/.exec(value);
  assert.ok(match, `"${value}" must name a Service as <service>.<namespace>.svc.cluster.local:<port>`);
  const [, name, ns, port] = match;
  assert.equal(ns, namespace, `"${value}" must point into namespace ${namespace}`);
  const service = one<Service>('Service', name!);
  assert.ok(service.spec.ports.some((p) => p.port === Number(port)), `Service ${name} has no port ${port} (from "${value}")`);
  return { service, port: Number(port) };
}

function workloadSelectedBy(selector: Record<string, string>): Workload {
  const matching = workloads.filter((w) => Object.entries(selector).every(([k, v]) => w.spec.template.metadata.labels[k] === v));
  assert.equal(matching.length, 1, `selector ${JSON.stringify(selector)} must select exactly one workload, selects ${matching.length}`);
  return matching[0]!;
}

// Our services, with what the code says about each.
const SERVICES = {
  conversation: { probe: 'grpc', port: DEFAULT_PORTS.conversation, portVar: 'CONVERSATION_PORT', headless: false, writesData: true },
  toolworker: { probe: 'grpc', port: DEFAULT_PORTS.toolworker, portVar: 'TOOLWORKER_PORT', headless: true, writesData: false },
  tracestore: { probe: 'http', port: DEFAULT_PORTS.tracestore, portVar: 'TRACESTORE_PORT', headless: false, writesData: true },
} as const;
type ServiceName = keyof typeof SERVICES;
const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

const TRACESTORE_PROBE_PATH = '/version';
const CHROMA_HEARTBEAT_PATH = '/api/v2/heartbeat';
/** The longest the services spend after the drain: tracing.shutdown(3_000) plus closing streams. */
const SPAN_FLUSH_MS = 3_500;

describe('deploy/k8s manifests', () => {
  it('kustomization.yaml lists every manifest in deploy/k8s, and each parses into objects', () => {
    const onDisk = readdirSync(k8sDir).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml').sort();
    assert.deepEqual([...manifestFiles].sort(), onDisk);
    for (const m of manifests) {
      assert.ok(m.apiVersion && m.kind && m.metadata?.name, `${m.file}: a document without apiVersion, kind or metadata.name`);
    }
    assert.equal(kustomization.namespace, namespace);
  });

  it('puts everything in the namespace and labels it app.kubernetes.io/*', () => {
    for (const m of manifests) {
      const where = `${m.file}: ${m.kind} ${m.metadata.name}`;
      if (m.kind !== 'Namespace') assert.equal(m.metadata.namespace, namespace, `${where} must be in namespace ${namespace}`);
      assert.ok(m.metadata.labels?.['app.kubernetes.io/name'], `${where} needs app.kubernetes.io/name`);
      assert.equal(m.metadata.labels?.['app.kubernetes.io/part-of'], 'tracemesh', `${where} needs app.kubernetes.io/part-of: tracemesh`);
    }
    for (const w of workloads) {
      const labels = w.spec.template.metadata.labels;
      for (const [key, value] of Object.entries(w.spec.selector.matchLabels)) {
        assert.ok(key.startsWith('app.kubernetes.io/'), `${w.metadata.name}: selector label ${key} is not app.kubernetes.io/*`);
        assert.equal(labels[key], value, `${w.metadata.name}: the pod template does not carry its selector label ${key}`);
      }
      assert.ok(!('app.kubernetes.io/version' in w.spec.selector.matchLabels), `${w.metadata.name}: a version label in the selector breaks upgrades`);
    }
  });

  it('finds the variables the code reads (sanity check of the scanner)', () => {
    for (const name of ['TOOLWORKER_TARGET', 'CONVERSATION_PORT', 'TRACEMESH_SHUTDOWN_GRACE_MS', 'LOG_LEVEL', 'ANTHROPIC_API_KEY', 'TOOLWORKER_MAX_CONCURRENT_PER_TOOL']) {
      assert.ok(codeEnvNames.has(name), `the scanner missed ${name}`);
    }
  });

  it('uses only environment variable names the code reads', () => {
    const unknown = (name: string, where: string): string | undefined => (codeEnvNames.has(name) ? undefined : `${name} (${where})`);
    const problems: (string | undefined)[] = [
      ...Object.keys(config).map((key) => unknown(key, `ConfigMap ${configMap.metadata.name}`)),
      ...secretKeys.map((key) => unknown(key, `Secret ${secret.metadata.name}`)),
    ];
    for (const w of workloads) {
      for (const c of w.spec.template.spec.containers.filter(isTracemeshImage)) {
        for (const e of c.env ?? []) problems.push(unknown(e.name, `${w.metadata.name}/${c.name} env`));
      }
    }
    assert.deepEqual(problems.filter(Boolean), [], `not read anywhere in lib/ or services/: ${problems.filter(Boolean).join(', ')}`);
  });

  it('references only ConfigMap and Secret keys that exist', () => {
    for (const w of workloads) {
      for (const c of w.spec.template.spec.containers) {
        for (const from of c.envFrom ?? []) {
          if (from.configMapRef) one<Manifest>('ConfigMap', from.configMapRef.name);
          if (from.secretRef) one<Manifest>('Secret', from.secretRef.name);
        }
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          if (ref) {
            assert.equal(ref.name, secret.metadata.name, `${w.metadata.name}: env ${e.name} reads an unknown Secret ${ref.name}`);
            assert.ok(secretKeys.includes(ref.key), `${w.metadata.name}: env ${e.name} reads key ${ref.key}, missing from the Secret`);
          }
          const cmRef = e.valueFrom?.configMapKeyRef;
          if (cmRef) assert.ok(cmRef.key in config, `${w.metadata.name}: env ${e.name} reads key ${cmRef.key}, missing from the ConfigMap`);
        }
      }
    }
  });

  it('writes every configuration value as a string, even as kubectl reads YAML', () => {
    for (const [key, value] of Object.entries({ ...config, ...secret.stringData })) {
      assert.equal(typeof value, 'string', `${key}: ${JSON.stringify(value)} is not a string in YAML 1.1 — quote it`);
    }
    for (const w of workloads) {
      for (const c of w.spec.template.spec.containers) {
        for (const e of c.env ?? []) {
          if (e.value !== undefined) assert.equal(typeof e.value, 'string', `${w.metadata.name}: env ${e.name} must be a quoted string`);
        }
      }
    }
  });

  it('ships the Secret as a template: empty placeholders (never a real key), each one documented', () => {
    const text = readFileSync(join(k8sDir, secret.file as string), 'utf8');
    for (const [key, value] of Object.entries(secret.stringData ?? {})) {
      assert.equal(value, '', `${key} in the committed Secret template must stay empty (the code reads "" as unset)`);
      assert.match(text, new RegExp(`#[^\\n]*\\n(?:\\s*#[^\\n]*\\n)*\\s*${key}:`), `${key} needs a comment saying what it does`);
    }
    assert.equal(secret.data, undefined, 'the template must use stringData, not base64 data');
    for (const key of ['ANTHROPIC_API_KEY', 'BRAINTRUST_API_KEY', 'TRACEMESH_AUTH_TOKEN']) assert.ok(secretKeys.includes(key), `the Secret must offer ${key}`);
  });

  it('makes every pod non-root, read-only, unprivileged and without a service account token', () => {
    for (const w of workloads) {
      const pod = w.spec.template.spec;
      const where = `${w.kind} ${w.metadata.name}`;
      assert.equal(pod.automountServiceAccountToken, false, `${where}: automountServiceAccountToken must be false`);
      // Service links would set CONVERSATION_PORT=tcp://… etc.: names the code parses as port numbers.
      assert.equal(pod.enableServiceLinks, false, `${where}: enableServiceLinks must be false`);
      for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
        const at = `${where}/${c.name}`;
        assert.equal(effective(pod, c, 'runAsNonRoot'), true, `${at}: runAsNonRoot`);
        assert.equal(effective(pod, c, 'runAsUser'), 10001, `${at}: runAsUser 10001`);
        assert.equal(effective(pod, c, 'seccompProfile')?.type, 'RuntimeDefault', `${at}: seccompProfile RuntimeDefault`);
        assert.equal(c.securityContext?.allowPrivilegeEscalation, false, `${at}: allowPrivilegeEscalation false`);
        assert.equal(c.securityContext?.readOnlyRootFilesystem, true, `${at}: readOnlyRootFilesystem true`);
        assert.notEqual(c.securityContext?.privileged, true, `${at}: privileged`);
        assert.ok(c.securityContext?.capabilities?.drop?.includes('ALL'), `${at}: capabilities must drop ALL`);
        assert.deepEqual(c.securityContext?.capabilities?.add ?? [], [], `${at}: adds capabilities`);
        // With a read-only root, /tmp (tsx's cache, SQLite temp files) must be a volume.
        const volumes = new Map([...(pod.volumes ?? []).map((v) => [v.name, v] as const)]);
        const claims = new Set((w.spec.volumeClaimTemplates ?? []).map((t) => t.metadata.name));
        const tmp = c.volumeMounts?.find((m) => m.mountPath === '/tmp');
        assert.ok(tmp && volumes.get(tmp.name)?.emptyDir !== undefined, `${at}: /tmp must be an emptyDir`);
        for (const mount of c.volumeMounts ?? []) {
          assert.ok(volumes.has(mount.name) || claims.has(mount.name), `${at}: mounts undeclared volume ${mount.name}`);
        }
      }
    }
  });

  it('sets resource requests and limits on every container, requests within limits', () => {
    for (const w of workloads) {
      for (const c of w.spec.template.spec.containers) {
        const at = `${w.metadata.name}/${c.name}`;
        for (const resource of ['cpu', 'memory']) {
          const request = c.resources?.requests?.[resource];
          const limit = c.resources?.limits?.[resource];
          assert.ok(request !== undefined && limit !== undefined, `${at}: needs a ${resource} request and limit`);
          assert.ok(quantity(request) <= quantity(limit), `${at}: ${resource} request ${request} exceeds its limit ${limit}`);
        }
      }
    }
  });

  it('gives every container a readiness and a liveness probe', () => {
    for (const w of workloads) {
      for (const c of w.spec.template.spec.containers) {
        assert.ok(c.readinessProbe, `${w.metadata.name}/${c.name}: no readinessProbe`);
        assert.ok(c.livenessProbe, `${w.metadata.name}/${c.name}: no livenessProbe`);
      }
    }
  });

  for (const name of SERVICE_NAMES) {
    const spec = SERVICES[name];
    describe(`${name}`, () => {
      const deployment = (): Workload => one<Workload>('Deployment', name);
      const container = (): Container => {
        const [c, ...rest] = deployment().spec.template.spec.containers;
        assert.ok(c && rest.length === 0, `${name}: expected one container`);
        assert.match(c.image, new RegExp(`^tracemesh/${name}:`), `${name}: runs image ${c.image}`);
        return c;
      };

      it(`listens on ${spec.port} (lib/config.ts's default) and the ConfigMap says so`, () => {
        assert.equal(configString(spec.portVar), String(spec.port), `${spec.portVar}`);
        assert.deepEqual(container().ports?.map((p) => p.containerPort), [spec.port]);
        assert.equal(configString('TRACEMESH_HOST'), '0.0.0.0', 'services must listen beyond loopback');
      });

      it(`has ${spec.probe === 'grpc' ? 'native gRPC' : `HTTP GET ${TRACESTORE_PROBE_PATH}`} probes on that port, with a startup probe`, () => {
        const c = container();
        for (const kind of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
          const probe = c[kind];
          assert.ok(probe, `${name}: no ${kind}`);
          if (spec.probe === 'grpc') {
            // grpc.health.v1 on the server itself: NOT_SERVING until ready and while draining.
            assert.equal(probe.grpc?.port, spec.port, `${name}: ${kind} must be grpc on ${spec.port}`);
            assert.ok(!probe.grpc?.service, `${name}: ${kind} must ask for the whole server ("")`);
          } else {
            assert.equal(probe.httpGet?.path, TRACESTORE_PROBE_PATH, `${name}: ${kind} path`);
            assert.equal(containerPort(c, probe.httpGet?.port), spec.port, `${name}: ${kind} port`);
          }
        }
        // Liveness must not fire on a pod still starting: the startup probe gates it.
        assert.ok((c.livenessProbe!.failureThreshold ?? 3) * (c.livenessProbe!.periodSeconds ?? 10) >= 20, `${name}: liveness is too trigger-happy`);
      });

      it('outlasts its own shutdown: terminationGracePeriodSeconds > preStop + TRACEMESH_SHUTDOWN_GRACE_MS + span flush', () => {
        const graceMs = Number(configString('TRACEMESH_SHUTDOWN_GRACE_MS'));
        assert.ok(Number.isInteger(graceMs) && graceMs > 0, 'TRACEMESH_SHUTDOWN_GRACE_MS must be a positive integer');
        const preStopMs = (container().lifecycle?.preStop?.sleep?.seconds ?? 0) * 1000;
        const termination = deployment().spec.template.spec.terminationGracePeriodSeconds ?? 30;
        assert.ok(termination * 1000 > preStopMs + graceMs + SPAN_FLUSH_MS,
          `${name}: terminationGracePeriodSeconds ${termination} s must exceed ${preStopMs} + ${graceMs} + ${SPAN_FLUSH_MS} ms`);
      });

      it('reads its configuration from the ConfigMap', () => {
        assert.ok(container().envFrom?.some((f) => f.configMapRef?.name === configMap.metadata.name), `${name}: envFrom ${configMap.metadata.name}`);
      });

      if (spec.writesData) {
        it('has a writable volume at TRACEMESH_DATA_DIR (its SQLite files)', () => {
          const dataDir = configString('TRACEMESH_DATA_DIR');
          assert.ok(container().volumeMounts?.some((m) => m.mountPath === dataDir), `${name} writes under ${dataDir}: mount a volume there`);
        });
      }

      it('runs on the CPU its image is built for', () => {
        const platform = dockerfile(name).platform;
        assert.equal(deployment().spec.template.spec.nodeSelector?.['kubernetes.io/arch'], platform.replace(/^linux\//, ''));
      });

      it(`is reachable through a ${spec.headless ? 'HEADLESS' : 'ClusterIP'} Service on ${spec.port}`, () => {
        const service = one<Service>('Service', name);
        assert.equal(workloadSelectedBy(service.spec.selector).metadata.name, name);
        const [port, ...rest] = service.spec.ports;
        assert.ok(port && rest.length === 0);
        assert.equal(port.port, spec.port);
        assert.equal(containerPort(container(), port.targetPort ?? port.port), spec.port, `${name}: Service targetPort`);
        if (spec.headless) {
          assert.equal(service.spec.clusterIP, 'None', `${name}: the Service must be headless so grpc-js sees every pod`);
        } else {
          assert.notEqual(service.spec.clusterIP, 'None');
          assert.ok((service.spec.type ?? 'ClusterIP') === 'ClusterIP', `${name}: Service type ${service.spec.type}`);
        }
      });
    });
  }

  it('points TOOLWORKER_TARGET at the headless worker Service with dns:/// (round_robin sees every pod)', () => {
    const target = configString('TOOLWORKER_TARGET');
    assert.match(target, /^dns:\/\/\//);
    const { service, port } = serviceForUrl(target);
    assert.equal(service.metadata.name, 'toolworker');
    assert.equal(service.spec.clusterIP, 'None');
    assert.equal(port, Number(configString('TOOLWORKER_PORT')));
  });

  it('points every other target and URL at a Service and port that exist', () => {
    assert.equal(serviceForUrl(configString('TRACESTORE_URL')).port, Number(configString('TRACESTORE_PORT')));
    assert.match(configString('TRACESTORE_URL'), /^http:\/\//);
    assert.equal(serviceForUrl(configString('CHROMA_URL')).port, DEFAULT_PORTS.chroma);
    if (config.CONVERSATION_TARGET !== undefined) {
      assert.equal(serviceForUrl(configString('CONVERSATION_TARGET')).port, Number(configString('CONVERSATION_PORT')));
    }
  });

  it('probes a path the trace store serves', () => {
    const routes = readdirSync(join(repo, 'services', 'tracestore', 'routes')).map((f) => readFileSync(join(repo, 'services', 'tracestore', 'routes', f), 'utf8'));
    assert.ok(routes.some((text) => text.includes(`.get('${TRACESTORE_PROBE_PATH}'`)), `no route GET ${TRACESTORE_PROBE_PATH} in services/tracestore/routes`);
  });

  it('keeps the trace store (SQLite) to one replica on a persistent volume, replaced not rolled', () => {
    const deployment = one<Workload & { spec: { strategy?: { type: string } } }>('Deployment', 'tracestore');
    assert.equal(deployment.spec.replicas, 1);
    assert.equal(deployment.spec.strategy?.type, 'Recreate');
    const pod = deployment.spec.template.spec;
    const mount = pod.containers[0]!.volumeMounts?.find((m) => m.mountPath === configString('TRACEMESH_DATA_DIR'));
    const claim = pod.volumes?.find((v) => v.name === mount?.name)?.persistentVolumeClaim?.claimName;
    assert.ok(claim, 'the trace store data dir must be a PersistentVolumeClaim');
    one<Manifest>('PersistentVolumeClaim', claim);
  });

  it('runs Chroma from a pinned official image, with a volume at /data and heartbeat probes', () => {
    const chroma = workloads.find((w) => w.spec.template.spec.containers.some((c) => c.image.startsWith('chromadb/chroma')));
    assert.ok(chroma, 'no Chroma workload');
    const c = chroma.spec.template.spec.containers.find((x) => x.image.startsWith('chromadb/chroma'))!;
    assert.match(c.image, /^chromadb\/chroma:\d+\.\d+\.\d+$/, 'pin Chroma to a version (the chromadb client speaks its v2 API)');
    assert.deepEqual(c.ports?.map((p) => p.containerPort), [DEFAULT_PORTS.chroma]);
    for (const kind of ['readinessProbe', 'livenessProbe'] as const) {
      assert.equal(c[kind]?.httpGet?.path, CHROMA_HEARTBEAT_PATH);
      assert.equal(containerPort(c, c[kind]?.httpGet?.port), DEFAULT_PORTS.chroma);
    }
    const data = c.volumeMounts?.find((m) => m.mountPath === '/data');
    assert.ok(data && (chroma.spec.volumeClaimTemplates ?? []).some((t) => t.metadata.name === data.name), 'Chroma /data must be a claim');
    const pin = kustomization.images?.find((i) => i.name === 'chromadb/chroma');
    if (pin?.newTag) assert.equal(`chromadb/chroma:${pin.newTag}`, c.image, 'kustomization.yaml and chroma.yaml pin different Chroma versions');
  });

  it('autoscales the worker Deployment on CPU, and leaves its replica count to the HPA', () => {
    const hpas = all<Manifest & {
      spec: {
        scaleTargetRef: { apiVersion: string; kind: string; name: string };
        minReplicas: number;
        maxReplicas: number;
        metrics: { type: string; resource?: { name: string; target: { type: string; averageUtilization?: number } } }[];
      };
    }>('HorizontalPodAutoscaler');
    assert.equal(hpas.length, 1);
    const hpa = hpas[0]!;
    assert.equal(hpa.apiVersion, 'autoscaling/v2');
    assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'toolworker' });
    const target = one<Workload>('Deployment', hpa.spec.scaleTargetRef.name);
    assert.equal(target.spec.replicas, undefined, 'a replicas field would reset the HPA\'s count on every apply');
    assert.ok(hpa.spec.minReplicas >= 3 && hpa.spec.maxReplicas > hpa.spec.minReplicas);
    const cpu = hpa.spec.metrics.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
    assert.equal(cpu?.resource?.target.type, 'Utilization');
    assert.ok(target.spec.template.spec.containers.every((c) => c.resources?.requests?.cpu), 'CPU utilization needs CPU requests');
  });

  it('runs several conversation replicas and budgets disruptions only where there is more than one pod', () => {
    assert.ok((one<Workload>('Deployment', 'conversation').spec.replicas ?? 1) >= 2);
    const hpaMin = new Map(all<Manifest & { spec: { scaleTargetRef: { name: string }; minReplicas: number } }>('HorizontalPodAutoscaler')
      .map((h) => [h.spec.scaleTargetRef.name, h.spec.minReplicas] as const));
    for (const pdb of all<Manifest & { spec: { selector: { matchLabels: Record<string, string> }; minAvailable?: unknown; maxUnavailable?: unknown } }>('PodDisruptionBudget')) {
      const w = workloadSelectedBy(pdb.spec.selector.matchLabels);
      const replicas = hpaMin.get(w.metadata.name) ?? w.spec.replicas ?? 1;
      assert.ok(replicas > 1, `PDB ${pdb.metadata.name} on a single pod would block every node drain`);
      assert.ok(pdb.spec.maxUnavailable !== undefined || pdb.spec.minAvailable !== undefined);
    }
  });

});

// ---- Dockerfiles ----

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  platform: string | undefined;
  name: string | undefined;
  instructions: Instruction[];
}
interface ParsedDockerfile {
  stages: Stage[];
  platform: string;
}

function dockerfile(service: string): ParsedDockerfile {
  const path = join(dockerDir, `${service}.Dockerfile`);
  assert.ok(existsSync(path), `missing ${relative(repo, path)}`);
  const logical = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, op, args] = /^(\S+)\s*(.*)$/.exec(line)!;
    if (op!.toUpperCase() === 'FROM') {
      const match = /^(?:--platform=(\S+)\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args!);
      assert.ok(match, `${service}.Dockerfile: cannot read FROM ${args}`);
      stages.push({ platform: match[1], from: match[2]!, name: match[3], instructions: [] });
    } else {
      assert.ok(stages.length > 0, `${service}.Dockerfile: ${op} before FROM`);
      stages.at(-1)!.instructions.push({ op: op!.toUpperCase(), args: args! });
    }
  }
  const platforms = new Set(stages.map((s) => s.platform ?? 'linux/amd64'));
  assert.equal(platforms.size, 1, `${service}.Dockerfile: stages for different platforms`);
  return { stages, platform: [...platforms][0]! };
}

/** The repository files an entry point imports, transitively (type-only imports are erased, as tsx does). */
async function importGraph(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [join(repo, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    write: false,
    metafile: true,
    outdir: join(repo, '.esbuild-graph-unused'),
    logLevel: 'silent',
    absWorkingDir: repo,
  });
  return Object.keys(result.metafile.inputs);
}

/** Top-level directories a module reaches at run time through a relative path literal ('../../gen/…', '..', 'data'). */
function runtimeDirsRead(file: string): string[] {
  const text = readFileSync(join(repo, file), 'utf8');
  const dirs = new Set<string>();
  for (const match of text.matchAll(/['"](?:\.\.\/)+([a-z][\w-]*)(?:\/|['"])/g)) dirs.add(match[1]!);
  for (const match of text.matchAll(/'\.\.',\s*'([a-z][\w-]*)'/g)) dirs.add(match[1]!);
  return [...dirs].filter((d) => existsSync(join(repo, d)) && d !== 'node_modules');
}

const dockerignore = readFileSync(join(repo, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

describe('deploy/docker Dockerfiles', () => {
  it('has a root .dockerignore that sends only what the images copy', () => {
    assert.equal(dockerignore[0], '*', '.dockerignore must start by excluding everything (an allowlist)');
    for (const never of ['**/node_modules', '**/.env']) assert.ok(dockerignore.includes(never), `.dockerignore must exclude ${never}`);
  });

  for (const name of SERVICE_NAMES) {
    describe(`${name}.Dockerfile`, () => {
      const entry = `services/${name}/main.ts`;

      it('is multi-stage on node:20-bookworm-slim, installing production dependencies with npm ci', () => {
        const { stages } = dockerfile(name);
        assert.ok(stages.length >= 2, 'multi-stage');
        for (const stage of stages) assert.equal(stage.from, 'node:20-bookworm-slim');
        const install = stages.slice(0, -1).flatMap((s) => s.instructions).find((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args));
        assert.ok(install && /--omit=dev\b/.test(install.args), 'a build stage runs npm ci --omit=dev');
        const final = stages.at(-1)!;
        assert.ok(!final.instructions.some((i) => i.op === 'RUN' && /\bnpm (ci|install)\b/.test(i.args)), 'no install in the runtime stage');
        assert.ok(final.instructions.some((i) => i.op === 'COPY' && /--from=\S+/.test(i.args) && /node_modules/.test(i.args)), 'node_modules from a build stage');
      });

      it('runs as uid 10001, never root', () => {
        const final = dockerfile(name).stages.at(-1)!;
        const users = final.instructions.filter((i) => i.op === 'USER');
        assert.ok(users.length > 0, 'the runtime stage must set USER');
        const user = users.at(-1)!.args.split(':')[0];
        assert.equal(user, '10001', 'USER must be the numeric uid the manifests run as (runAsNonRoot needs a number)');
        const entrypointAt = final.instructions.findIndex((i) => i.op === 'ENTRYPOINT');
        assert.ok(final.instructions.indexOf(users.at(-1)!) < entrypointAt);
      });

      it(`starts ${entry} with node --import tsx, and exposes ${SERVICES[name].port}`, () => {
        const final = dockerfile(name).stages.at(-1)!;
        const entrypoint = final.instructions.filter((i) => i.op === 'ENTRYPOINT').at(-1);
        assert.ok(entrypoint, 'ENTRYPOINT');
        assert.deepEqual(JSON.parse(entrypoint.args), ['node', '--import', 'tsx', entry], 'exec-form ENTRYPOINT (no shell)');
        assert.ok(existsSync(join(repo, entry)), `${entry} does not exist`);
        const exposed = final.instructions.filter((i) => i.op === 'EXPOSE').flatMap((i) => i.args.split(/\s+/).map((p) => Number(p.split('/')[0])));
        assert.deepEqual(exposed, [SERVICES[name].port]);
      });

      it('copies every file the service imports or reads at start, each from the build context', async () => {
        const final = dockerfile(name).stages.at(-1)!;
        const copied = final.instructions
          .filter((i) => (i.op === 'COPY' || i.op === 'ADD') && !/--from=/.test(i.args))
          .flatMap((i) => {
            const parts = i.args.split(/\s+/).filter((p) => !p.startsWith('--'));
            return parts.slice(0, -1).map((src) => src.replace(/\/$/, ''));
          });
        for (const src of copied) {
          assert.ok(existsSync(join(repo, src)), `COPY ${src}: not in the repository`);
          assert.ok(dockerignore.includes(`!${src}`) || dockerignore.includes(`!${src.split('/')[0]}`), `COPY ${src}: excluded by .dockerignore`);
        }
        const covered = (file: string): boolean => copied.some((src) => file === src || file.startsWith(`${src}/`));
        for (const needed of ['package.json', 'tsconfig.json']) assert.ok(covered(needed), `${needed} (tsx: "type": "module", compiler options)`);
        const graph = await importGraph(entry);
        assert.ok(graph.includes(entry));
        const missing = graph.filter((file) => !covered(file));
        assert.deepEqual(missing, [], `imported by ${entry} but not copied into the image`);
        const dirs = new Set(graph.flatMap(runtimeDirsRead));
        for (const dir of dirs) assert.ok(covered(dir) || copied.some((src) => src.startsWith(`${dir}/`)), `${dir}/ is read at run time but not copied`);
      });
    });
  }
});
