// The interface of the fused kernel module, declared once.
//
// The JavaScript side describes work for the kernels as task records: one
// i32 word per field, written into the kernel memory, read by `runTasks` in
// assembly/recurrent.ts. The tables below are the only place the layout is
// written down:
//   * scripts/build-kernels.mjs generates assembly/abi.ts from them: the
//     TaskOp codes, one @unmanaged class per layout (whose fields are the
//     kernel's reader) and the exports the loader checks;
//   * writeTask / readTask below are the JavaScript writer and reader;
//   * layoutDescription() is the layout as a list of numbers, which the
//     module also exports (abiLayout): the loader refuses a module built
//     from other tables, naming the first difference.
// Nothing here depends on TensorFlow.js or on the module; the build script
// loads this file on its own.

/** Bumped when the meaning of the interface changes in a way the tables do not show. */
export const ABI_VERSION = 7;

/**
 * Most 64 KiB pages the kernel memory may grow to (2 GiB). A shared memory
 * must declare a maximum: the module is built with it and the runtime
 * creates its memory with it.
 */
export const MAX_PAGES = 32768;

/** Field types: every field is one i32 word in the record. */
export type FieldType =
  /** a TaskOp code */
  | 'op'
  /** a count, size or stride */
  | 'i32'
  /** a byte address in the kernel memory (0 = none) */
  | 'ptr'
  /** 1 = yes, 0 = no (JavaScript booleans) */
  | 'flag';

export interface FieldDecl {
  readonly name: string;
  readonly type: FieldType;
  readonly meaning: string;
}

export interface LayoutDecl {
  readonly name: string;
  readonly meaning: string;
  readonly ops: readonly string[];
  readonly fields: readonly FieldDecl[];
}

/** The whole interface as data: what the generator, the writer and the loader's check read. */
export interface AbiTables {
  readonly version: number;
  readonly taskOps: Readonly<Record<string, number>>;
  readonly layouts: readonly LayoutDecl[];
}

/** What the kernel does with a task record (its first word). */
export const TaskOp = {
  RnnForward: 1,
  RnnBackward: 2,
  LstmForward: 3,
  LstmBackward: 4,
  /** C[rows, n] (+)= A[rows, k] . B[k, n] (B's row stride is n) */
  Gemm: 5,
  /** C[k, n] += A[rows, k]^T . B[rows, n] */
  GemmTN: 6,
} as const;
export type TaskOpName = keyof typeof TaskOp;

/**
 * One pass of a SimpleRNN or LSTM direction over batch rows [b0, b1); see
 * the layouts in the header of assembly/recurrent.ts. G = 1 (SimpleRNN) or
 * 4 (LSTM) gates; Up = U rounded up to a multiple of 4.
 */
export const RECURRENCE_FIELDS = [
  { name: 'op', type: 'op', meaning: 'RnnForward, RnnBackward, LstmForward or LstmBackward' },
  { name: 'B', type: 'i32', meaning: 'batch rows of the whole call (the B of every [.., B, ..] array)' },
  { name: 'T', type: 'i32', meaning: 'time steps' },
  { name: 'U', type: 'i32', meaning: 'units' },
  { name: 'Up', type: 'i32', meaning: 'U rounded up to a multiple of 4: the row stride of states' },
  { name: 'b0', type: 'i32', meaning: 'first batch row this task computes' },
  { name: 'b1', type: 'i32', meaning: 'one past the last batch row this task computes' },
  { name: 'z', type: 'ptr', meaning: "this direction's input products Z [B, T, zStride], or the table [V, zStride] when ids != 0; backward writes their gradient there (adds, in table mode)" },
  { name: 'zStride', type: 'i32', meaning: 'row stride of z, in floats' },
  { name: 'r', type: 'ptr', meaning: 'recurrent kernel R [Up, G*Up], zero padded (forward)' },
  { name: 'rt', type: 'ptr', meaning: 'its transpose [G*Up, Up] (backward)' },
  { name: 'h', type: 'ptr', meaning: 'states h [T+1, B, Up]; h[0] = 0' },
  { name: 'c', type: 'ptr', meaning: 'LSTM cell states [T+1, B, Up]' },
  { name: 'tc', type: 'ptr', meaning: 'LSTM tanh(c) of each step [T, B, Up]' },
  { name: 'g', type: 'ptr', meaning: 'LSTM activated gates of each step [T, B, G*Up]' },
  { name: 'store', type: 'flag', meaning: 'keep every step for a backward pass (else the per-step arrays have a step stride of 0)' },
  { name: 'reverse', type: 'flag', meaning: 'step s reads input time T-1-s (goBackwards)' },
  { name: 'dhT', type: 'ptr', meaning: 'gradient wrt the last state [B, Up] (backward)' },
  { name: 'dR', type: 'ptr', meaning: 'gradient of R [Up, G*Up], added to (backward)' },
  { name: 'scratch', type: 'ptr', meaning: 'work space: pre-activations [B, Up] (SimpleRNN forward), dh, dc, dgates rows (backward)' },
  { name: 'bias', type: 'ptr', meaning: 'bias [G*Up], zero padded' },
  { name: 'dB', type: 'ptr', meaning: 'gradient of the bias [G*Up], added to (backward)' },
  { name: 'ids', type: 'ptr', meaning: 'int32 [B, T] token ids: z is then a [V, zStride] table (0 = z is [B, T, zStride])' },
  { name: 'pads', type: 'ptr', meaning: 'int32 [B] padding steps per row, non-increasing (LSTM; 0 = no padding prefix)' },
  { name: 'traj', type: 'ptr', meaning: "the all-padding row's h [P+1, Up], c [P+1, Up], tc [P, Up], g [P, G*Up], P = pads[0]" },
] as const satisfies readonly FieldDecl[];

/** A product of the vocabulary table or of its gradients (n and k multiples of 4). */
export const MATRIX_FIELDS = [
  { name: 'op', type: 'op', meaning: 'Gemm or GemmTN' },
  { name: 'a', type: 'ptr', meaning: 'A [rows, k]' },
  { name: 'lda', type: 'i32', meaning: "A's row stride, in floats" },
  { name: 'b', type: 'ptr', meaning: 'B [k, n] (Gemm) or [rows, n] (GemmTN)' },
  { name: 'ldb', type: 'i32', meaning: "B's row stride, in floats (GemmTN)" },
  { name: 'c', type: 'ptr', meaning: 'C [rows, n] (Gemm) or [k, n] (GemmTN), dense' },
  { name: 'n', type: 'i32', meaning: 'columns of C' },
  { name: 'k', type: 'i32', meaning: 'the summed dimension (Gemm), rows of C (GemmTN)' },
  { name: 'rows', type: 'i32', meaning: 'rows of A' },
  { name: 'accumulate', type: 'flag', meaning: 'Gemm adds to C instead of overwriting it (GemmTN always adds)' },
] as const satisfies readonly FieldDecl[];

/** Every record layout, with the ops that use it (each op in exactly one). */
export const LAYOUTS = [
  {
    name: 'RecurrenceTask',
    meaning: 'one pass of a recurrent layer direction over a range of batch rows',
    ops: ['RnnForward', 'RnnBackward', 'LstmForward', 'LstmBackward'],
    fields: RECURRENCE_FIELDS,
  },
  {
    name: 'MatrixTask',
    meaning: 'a matrix product of the vocabulary table or its gradients',
    ops: ['Gemm', 'GemmTN'],
    fields: MATRIX_FIELDS,
  },
] as const satisfies readonly (LayoutDecl & { ops: readonly TaskOpName[] })[];

export const ABI: AbiTables = { version: ABI_VERSION, taskOps: TaskOp, layouts: LAYOUTS };

/** Words per task record: room for the largest layout. */
export function taskWords(tables: AbiTables = ABI): number {
  return Math.max(...tables.layouts.map((l) => l.fields.length));
}
export const TASK_WORDS = taskWords();

type FieldValue<T extends FieldType> = T extends 'flag' ? boolean : number;
type RecordOf<F extends readonly FieldDecl[], Op> = {
  [D in F[number] as D['name']]: D['type'] extends 'op' ? Op : FieldValue<D['type']>;
};
type OpOf<Names extends TaskOpName> = (typeof TaskOp)[Names];

export type RecurrenceOp = OpOf<(typeof LAYOUTS)[0]['ops'][number]>;
export type MatrixOp = OpOf<(typeof LAYOUTS)[1]['ops'][number]>;
/** The values of a recurrence task record's fields. */
export type RecurrenceTask = RecordOf<typeof RECURRENCE_FIELDS, RecurrenceOp>;
/** The values of a matrix task record's fields. */
export type MatrixTask = RecordOf<typeof MATRIX_FIELDS, MatrixOp>;
export type Task = RecurrenceTask | MatrixTask;

const layoutOfOp = new Map<number, (typeof LAYOUTS)[number]>(
  LAYOUTS.flatMap((layout) => layout.ops.map((op) => [TaskOp[op], layout] as const)),
);

function layoutOf(op: number): (typeof LAYOUTS)[number] {
  const layout = layoutOfOp.get(op);
  if (!layout) throw new Error(`fused kernels: no task layout for op ${op}`);
  return layout;
}

/** Write `task` as the record at word `offset` of `words` (the kernel memory as Int32Array). */
export function writeTask(words: Int32Array, offset: number, task: Task): void {
  const values = task as unknown as Record<string, number | boolean | undefined>;
  const { fields } = layoutOf(task.op);
  for (let i = 0; i < fields.length; i++) {
    const value = values[fields[i].name];
    if (typeof value === 'boolean') words[offset + i] = value ? 1 : 0;
    else if (typeof value === 'number') words[offset + i] = value;
    else throw new TypeError(`fused kernels: task field '${fields[i].name}' has no value`);
  }
}

/** Read back the record at word `offset` (for tests and debugging). */
export function readTask(words: Int32Array, offset: number): Task {
  const { fields } = layoutOf(words[offset]);
  const task: Record<string, number | boolean> = {};
  fields.forEach((field: FieldDecl, i) => {
    task[field.name] = field.type === 'flag' ? words[offset + i] !== 0 : words[offset + i];
  });
  return task as unknown as Task;
}

/** 32-bit FNV-1a of a string, as a signed i32: names fields in the layout description. */
export function fieldHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** What one number of the layout description stands for. */
export type LayoutFact =
  | { kind: 'version' }
  | { kind: 'taskWords' }
  | { kind: 'opCode'; op: string }
  | { kind: 'layoutSize'; layout: string }
  | { kind: 'fieldWord'; layout: string; field: string }
  | { kind: 'fieldAt'; layout: string; word: number };

export interface LayoutEntry {
  fact: LayoutFact;
  value: number;
}

/** Each field's identity in the description: its name and type, hashed. */
function fieldIdentity(field: FieldDecl): number {
  return fieldHash(`${field.name}: ${field.type}`);
}

/**
 * The whole interface as numbers, in a fixed order. The generated module
 * exports the same list (abiLayout), computed from its own constants and
 * classes (see scripts/build-kernels.mjs), so the loader compares what the
 * module was built with against these tables.
 */
export function layoutDescription(tables: AbiTables = ABI): LayoutEntry[] {
  const entries: LayoutEntry[] = [
    { fact: { kind: 'version' }, value: tables.version },
    { fact: { kind: 'taskWords' }, value: taskWords(tables) },
  ];
  for (const [op, code] of Object.entries(tables.taskOps)) entries.push({ fact: { kind: 'opCode', op }, value: code });
  for (const layout of tables.layouts) {
    entries.push({ fact: { kind: 'layoutSize', layout: layout.name }, value: layout.fields.length });
    layout.fields.forEach((field, word) => {
      entries.push({ fact: { kind: 'fieldWord', layout: layout.name, field: field.name }, value: word });
      entries.push({ fact: { kind: 'fieldAt', layout: layout.name, word }, value: fieldIdentity(field) });
    });
  }
  return entries;
}

function describeFact(fact: LayoutFact): string {
  switch (fact.kind) {
    case 'version': return 'the ABI version';
    case 'taskWords': return 'the words per task record';
    case 'opCode': return `the code of TaskOp.${fact.op}`;
    case 'layoutSize': return `the size of ${fact.layout} in words`;
    case 'fieldWord': return `the word of ${fact.layout}.${fact.field}`;
    case 'fieldAt': return `the field at word ${fact.word} of ${fact.layout}`;
  }
}

/**
 * Why a module whose description is read(0), .., read(length - 1) does not
 * fit these tables, or null when it does. Names the first difference.
 */
export function layoutMismatch(length: number, read: (i: number) => number, tables: AbiTables = ABI): string | null {
  const expected = layoutDescription(tables);
  const version = read(0);
  if (version !== tables.version) return `the kernel module has ABI version ${version}, this loader expects ${tables.version}`;
  const fieldNames = new Map<number, string>();
  for (const layout of tables.layouts) for (const f of layout.fields) fieldNames.set(fieldIdentity(f), `'${f.name}: ${f.type}'`);
  for (let i = 0; i < Math.min(length, expected.length); i++) {
    const { fact, value } = expected[i];
    const got = read(i);
    if (got === value) continue;
    const shown = (v: number): string => (fact.kind === 'fieldAt' ? (fieldNames.get(v) ?? 'a field unknown here') : String(v));
    return `the kernel module's task layout differs from this loader's: ${describeFact(fact)} is ${shown(got)} in the module, ${shown(value)} here`;
  }
  if (length !== expected.length) {
    return `the kernel module's task layout differs from this loader's: it describes ${length} layout facts, this loader ${expected.length}`;
  }
  return null;
}
