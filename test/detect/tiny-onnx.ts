/**
 * Writes a tiny ONNX model for tests, by hand-encoding its protobuf: output = the mean of the input's
 * channels (ReduceMean over axis 1), so a pixel's "plume probability" is its brightness. That makes the
 * detector's pre- and post-processing checkable on drawn images, and lets a test make a model of any
 * input shape.
 */
type Dim = number | string;

const varint = (value: number): number[] => {
  const bytes: number[] = [];
  let v = value;
  while (v >= 0x80) {
    bytes.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  bytes.push(v);
  return bytes;
};
const int = (field: number, value: number): number[] => [...varint(field << 3), ...varint(value)];
const bytes = (field: number, content: number[]): number[] => [
  ...varint((field << 3) | 2),
  ...varint(content.length),
  ...content,
];
const text = (field: number, value: string): number[] => bytes(field, [...Buffer.from(value, 'utf8')]);

const FLOAT = 1;
const ATTRIBUTE_INTS = 7;

function tensorValue(name: string, shape: Dim[]): number[] {
  const dims = shape.flatMap((d) => bytes(1, typeof d === 'number' ? int(1, d) : text(2, d)));
  const tensorType = [...int(1, FLOAT), ...bytes(2, dims)];
  return [...text(1, name), ...bytes(2, bytes(1, tensorType))];
}

export interface TinyModelOptions {
  inputName?: string;
  outputName?: string;
  heightPx?: number;
  widthPx?: number;
}

/** The bytes of a channel-mean model with input [batch, 3, H, W] and output [batch, 1, H, W]. */
export function channelMeanModel(options: TinyModelOptions = {}): Buffer {
  const { inputName = 'image', outputName = 'plume_prob', heightPx = 256, widthPx = 256 } = options;
  const axes = [...text(1, 'axes'), ...int(8, 1), ...int(20, ATTRIBUTE_INTS)];
  const keepDims = [...text(1, 'keepdims'), ...int(3, 1), ...int(20, 2)];
  const node = [
    ...text(1, inputName),
    ...text(2, outputName),
    ...text(4, 'ReduceMean'),
    ...bytes(5, axes),
    ...bytes(5, keepDims),
  ];
  const graph = [
    ...bytes(1, node),
    ...text(2, 'channel-mean'),
    ...bytes(11, tensorValue(inputName, ['batch', 3, heightPx, widthPx])),
    ...bytes(12, tensorValue(outputName, ['batch', 1, heightPx, widthPx])),
  ];
  const opset = [...text(1, ''), ...int(2, 17)];
  return Buffer.from([...int(1, 8), ...text(2, 'dustpatrol-test'), ...bytes(7, graph), ...bytes(8, opset)]);
}

/** A model description like models/dust-plume.json, for the tiny model. */
export function tinyModelSpec(
  options: { heightPx?: number; widthPx?: number; threshold?: number; minAreaPx?: number } = {},
) {
  const { heightPx = 256, widthPx = 256, threshold = 0.5, minAreaPx = 16 } = options;
  return {
    input: { name: 'image', shape: ['batch', 3, heightPx, widthPx] },
    output: { name: 'plume_prob', shape: ['batch', 1, heightPx, widthPx] },
    postprocess: { threshold, min_blob_area_px: minAreaPx, connectivity: 8 },
  };
}
