// A FileDescriptorSet kept as the exact bytes buf built, file by file, with an index from every
// fully-qualified symbol to the file that defines it. Reflection answers with these bytes
// untouched: re-encoding descriptors from a loaded package is what makes other servers' reflection
// unusable for grpcurl-like clients (names left unqualified, dependencies dropped).
import protobuf from 'protobufjs';
import descriptorModule from 'protobufjs/ext/descriptor/index.js';

const { Reader, Writer } = protobuf;
const descriptor = descriptorModule as unknown as { FileDescriptorProto: protobuf.Type };

/** One file of a descriptor set: its exact serialized FileDescriptorProto and what it defines. */
export interface DescriptorFile {
  name: string;
  bytes: Uint8Array;
  dependencies: string[];
  /** Fully-qualified names of messages, enums, services and methods this file defines. */
  symbols: string[];
  /** Fully-qualified names of the services this file defines. */
  services: string[];
  /** Extensions this file declares: extended message name → field numbers. */
  extensions: Array<{ extendee: string; number: number }>;
}

interface DecodedMessage { name?: string; nestedType?: DecodedMessage[]; enumType?: Array<{ name?: string }> }
interface DecodedField { extendee?: string; number?: number }
interface DecodedFile {
  name?: string;
  package?: string;
  dependency?: string[];
  messageType?: DecodedMessage[];
  enumType?: Array<{ name?: string }>;
  service?: Array<{ name?: string; method?: Array<{ name?: string }> }>;
  extension?: DecodedField[];
  [key: string]: unknown;
}

/** Splits a serialized FileDescriptorSet (field 1, repeated FileDescriptorProto) into file byte slices. */
export function splitDescriptorSet(set: Uint8Array): Uint8Array[] {
  const reader = Reader.create(set);
  const files: Uint8Array[] = [];
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === 2) files.push(reader.bytes());
    else reader.skipType(tag & 7);
  }
  return files;
}

function messageSymbols(prefix: string, messages: DecodedMessage[] | undefined, out: string[]): void {
  for (const message of messages ?? []) {
    const name = `${prefix}${message.name ?? ''}`;
    out.push(name);
    for (const nestedEnum of message.enumType ?? []) out.push(`${name}.${nestedEnum.name ?? ''}`);
    messageSymbols(`${name}.`, message.nestedType, out);
  }
}

/** Reads one serialized FileDescriptorProto into a DescriptorFile (keeping the bytes as given). */
export function describeFile(bytes: Uint8Array): DescriptorFile {
  const decoded = descriptor.FileDescriptorProto.toObject(descriptor.FileDescriptorProto.decode(bytes), {
    defaults: false,
  }) as DecodedFile;
  const prefix = decoded.package ? `${decoded.package}.` : '';
  const symbols: string[] = [];
  messageSymbols(prefix, decoded.messageType, symbols);
  for (const enumType of decoded.enumType ?? []) symbols.push(`${prefix}${enumType.name ?? ''}`);
  const services: string[] = [];
  for (const service of decoded.service ?? []) {
    const serviceName = `${prefix}${service.name ?? ''}`;
    services.push(serviceName);
    symbols.push(serviceName);
    for (const method of service.method ?? []) symbols.push(`${serviceName}.${method.name ?? ''}`);
  }
  const extensions = (decoded.extension ?? []).map((field) => ({
    extendee: (field.extendee ?? '').replace(/^\./, ''),
    number: field.number ?? 0,
  }));
  return { name: decoded.name ?? '', bytes, dependencies: decoded.dependency ?? [], symbols, services, extensions };
}

/** Concatenates descriptor sets, keeping the first copy of each file name. */
export function mergeDescriptorSets(sets: Uint8Array[]): Buffer {
  const seen = new Set<string>();
  const writer = Writer.create();
  for (const set of sets) {
    for (const bytes of splitDescriptorSet(set)) {
      const { name } = describeFile(bytes);
      if (seen.has(name)) continue;
      seen.add(name);
      writer.uint32((1 << 3) | 2).bytes(bytes);
    }
  }
  return Buffer.from(writer.finish());
}

/** An indexed descriptor set, ready to answer reflection queries. */
export class DescriptorPool {
  readonly files = new Map<string, DescriptorFile>();
  private readonly bySymbol = new Map<string, DescriptorFile>();

  constructor(set: Uint8Array) {
    for (const bytes of splitDescriptorSet(set)) {
      const file = describeFile(bytes);
      this.files.set(file.name, file);
      for (const symbol of file.symbols) this.bySymbol.set(symbol, file);
    }
  }

  fileContainingSymbol(symbol: string): DescriptorFile | undefined {
    return this.bySymbol.get(symbol.replace(/^\./, ''));
  }

  /** The file and every file it imports, transitively, the file itself first. */
  withDependencies(file: DescriptorFile): DescriptorFile[] {
    const ordered: DescriptorFile[] = [];
    const visit = (current: DescriptorFile): void => {
      if (ordered.includes(current)) return;
      ordered.push(current);
      for (const dependency of current.dependencies) {
        const found = this.files.get(dependency);
        if (found) visit(found);
      }
    };
    visit(file);
    return ordered;
  }

  services(): string[] {
    return [...this.files.values()].flatMap((file) => file.services);
  }
}
