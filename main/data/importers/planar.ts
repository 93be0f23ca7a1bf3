// Images stored as channel planes (all R, then all G, then all B: CIFAR records, ImageNet-32
// npz rows, STL-10 records) to the interleaved HWC layout the library stores. STL-10 writes
// each plane column-major (MATLAB order); the others row-major.
export interface PlanarImage {
  height: number;
  width: number;
  channels: number;
  /** STL-10: each plane is stored column by column. */
  columnMajor?: boolean;
}

export function planarToHwc(src: Uint8Array, srcOffset: number, shape: PlanarImage, out: Uint8Array, outOffset: number): void {
  const { height, width, channels } = shape;
  const plane = height * width;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = outOffset + (y * width + x) * channels;
      const i = srcOffset + (shape.columnMajor ? x * height + y : y * width + x);
      for (let c = 0; c < channels; c++) out[o + c] = src[i + c * plane];
    }
  }
}
