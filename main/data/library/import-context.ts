// What an importer gets (the source tree, the options, writers into the temporary entry) and
// what it returns (class names and what the stored pixels mean). Importers check their input
// and throw named errors; the orchestrator (import-dataset.ts) does everything else.
import { freeBytes, notEnoughSpace } from '../../common/system-errors';
import { malformed } from '../malformed';
import type { FileTree } from '../sources/tree';
import { libraryWrite } from './layout';
import { Pool } from './pool';
import type { ImportProgress } from './progress';
import type { ResizeFit, SkippedFile, SourceFormat, SplitName } from './record';
import { SplitWriter, type ImageShape } from './split-writer';

export interface ImportOptions {
  /** Library name; default from the format and the source. */
  name?: string;
  /** Skip auto-detection ('auto' detects; 'folder' = 'image-folder'). */
  format?: SourceFormat | 'auto' | 'folder';
  /** Square size in pixels: image folders are resized to it (default: their common square size, else 32); other formats only if given. */
  size?: number;
  /** How a non-square image becomes square: 'cover' (resize the short side, centre-crop; default), 'contain' (pad), 'fill' (stretch). */
  fit?: ResizeFit;
  /** Held-out test fraction for sources without a test split (default 0.1). */
  testFraction?: number;
  /** Seed of the held-out choice and of the stored order of image-folder splits (default 0). */
  seed?: number;
  /** Fail on the first unreadable or non-image file instead of skipping it. */
  strict?: boolean;
  /** Force grayscale (1) or RGB (3); default: 1 if every image is gray, else 3. */
  channels?: 1 | 3;
  /** STL-10: also store the 100,000 unlabeled images. */
  unlabeled?: boolean;
  /** CIFAR-100: which labels become the classes (default 'fine'). */
  labels?: 'fine' | 'coarse';
  /** Whether horizontal flips keep the meaning (default: off for idx digits/clothes, on otherwise). */
  flip?: boolean;
  /** Replace an existing entry of the same name. */
  replace?: boolean;
}

export interface ResolvedImportOptions {
  name?: string;
  format?: SourceFormat;
  size: number | null;
  fit: ResizeFit;
  testFraction: number;
  seed: number;
  strict: boolean;
  channels: 1 | 3 | null;
  unlabeled: boolean;
  labels: 'fine' | 'coarse';
  flip: boolean | null;
  replace: boolean;
}

export interface ImportedSet {
  sourceFormat: SourceFormat;
  classNames: string[];
  coarseClassNames?: string[];
  flipSafe: boolean;
  /** The size the images were resized to, if they were. */
  resizedTo?: number | null;
  /** Fraction held out, if the test split was made here. */
  heldOut?: number | null;
}

export class ImportContext {
  readonly writers = new Map<SplitName, SplitWriter>();
  readonly skipped: SkippedFile[] = [];
  skippedCount = 0;
  readonly notes: string[] = [];
  /** About how many bytes this import writes into the library (stored splits, pool, extracted files), once known. */
  plannedBytes: number | undefined;

  constructor(
    readonly tree: FileTree,
    /** The folder inside the tree that holds the data set ('' for the top). */
    readonly root: string,
    readonly options: ResolvedImportOptions,
    /** The temporary entry folder (also the scratch space). */
    readonly dir: string,
    readonly progress: ImportProgress,
    readonly signal?: AbortSignal,
  ) {}

  /** A path relative to the data set's root folder, for messages. */
  rel(path: string): string {
    return this.root && path.startsWith(this.root + '/') ? path.slice(this.root.length + 1) : path;
  }

  split(name: SplitName, shape: ImageShape, labelled = true): SplitWriter {
    if (this.writers.has(name)) return this.writers.get(name)!;
    const w = new SplitWriter(this.dir, name, shape, labelled);
    this.writers.set(name, w);
    return w;
  }

  /**
   * Say, before writing them, how many images of `shape` the import will store (`pooled`: they
   * pass through the pool file first) plus any other bytes (extracted files). When the library's
   * disk has less free, fail now, naming what is needed, instead of filling the disk.
   */
  reserve(images: number, shape: ImageShape | null, o: { pooled?: boolean; extraBytes?: number } = {}): void {
    const perImage = shape ? shape.height * shape.width * shape.channels : 0;
    const bytes = images * (perImage * (o.pooled ? 2 : 1) + 2) + (o.extraBytes ?? 0);
    this.plannedBytes = bytes;
    const free = freeBytes(this.dir);
    if (free !== null && free < bytes) throw notEnoughSpace(libraryWrite('import into the dataset library in', bytes));
  }

  pool(shape: ImageShape, capacity: number): Pool {
    return new Pool(this.dir, shape, capacity);
  }

  /** An unreadable or non-image file: counted and reported, or fatal with --strict. */
  skip(path: string, reason: string): void {
    if (this.options.strict) throw malformed(this.tree.describe(path), `${reason} (--strict stops at the first unreadable file)`);
    this.skippedCount += 1;
    if (this.skipped.length < 20) this.skipped.push({ path: this.rel(path), reason });
  }

  note(text: string): void {
    this.notes.push(text);
  }

  abort(): void {
    for (const w of this.writers.values()) w.abort();
  }
}
