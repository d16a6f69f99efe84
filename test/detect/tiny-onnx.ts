/**
 * Writes a tiny ONNX model for tests, by hand-encoding its protobuf: output = the mean of the input's
 * channels (ReduceMean over axis 1), so a pixel's "plume probability" is its brightness. That makes the
 * detector's pre- and post-processing checkable on drawn images, and lets a test make a model of any
 * input shape. Optionally a second, image-level output: the mean brightness of the whole image.
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
const ATTRIBUTE_INT = 2;
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
  /**
   * Adds an image-level output of this name: the mean of the whole mask, [batch, 1] (or, with
   * `imageOutputFlat: false`, left as ReduceMean gives it: [batch, 1, 1, 1]).
   */
  imageOutputName?: string;
  imageOutputFlat?: boolean;
}

/** A ReduceMean node over `axes`, keeping the reduced dimensions (opset 17: axes is an attribute). */
function reduceMeanNode(input: string, output: string, axes: number[]): number[] {
  const axesAttr = [...text(1, 'axes'), ...axes.flatMap((axis) => int(8, axis)), ...int(20, ATTRIBUTE_INTS)];
  const keepDims = [...text(1, 'keepdims'), ...int(3, 1), ...int(20, ATTRIBUTE_INT)];
  return [
    ...text(1, input),
    ...text(2, output),
    ...text(4, 'ReduceMean'),
    ...bytes(5, axesAttr),
    ...bytes(5, keepDims),
  ];
}

/**
 * The bytes of a channel-mean model with input [batch, 3, H, W] and output [batch, 1, H, W], and
 * optionally an image output [batch, 1] (Flatten of the mask's overall mean).
 */
export function channelMeanModel(options: TinyModelOptions = {}): Buffer {
  const { inputName = 'image', outputName = 'plume_prob', heightPx = 256, widthPx = 256 } = options;
  const { imageOutputName, imageOutputFlat = true } = options;
  const nodes = [bytes(1, reduceMeanNode(inputName, outputName, [1]))];
  const outputs = [bytes(12, tensorValue(outputName, ['batch', 1, heightPx, widthPx]))];
  if (imageOutputName !== undefined) {
    const meanName = imageOutputFlat ? `${imageOutputName}_4d` : imageOutputName;
    nodes.push(bytes(1, reduceMeanNode(outputName, meanName, [1, 2, 3])));
    if (imageOutputFlat) {
      // Flatten from axis 1 (its default): [batch, 1, 1, 1] → [batch, 1].
      nodes.push(bytes(1, [...text(1, meanName), ...text(2, imageOutputName), ...text(4, 'Flatten')]));
    }
    const shape = imageOutputFlat ? ['batch', 1] : ['batch', 1, 1, 1];
    outputs.push(bytes(12, tensorValue(imageOutputName, shape)));
  }
  const graph = [
    ...nodes.flat(),
    ...text(2, 'channel-mean'),
    ...bytes(11, tensorValue(inputName, ['batch', 3, heightPx, widthPx])),
    ...outputs.flat(),
  ];
  const opset = [...text(1, ''), ...int(2, 17)];
  return Buffer.from([...int(1, 8), ...text(2, 'dustpatrol-test'), ...bytes(7, graph), ...bytes(8, opset)]);
}

/**
 * A model description like models/dust-plume.json, for the tiny model; with `imageThreshold`, also
 * its image output (named `imageOutputName`, default 'image_prob', shape [batch, 1]).
 */
export function tinyModelSpec(
  options: {
    heightPx?: number;
    widthPx?: number;
    threshold?: number;
    minAreaPx?: number;
    imageThreshold?: number;
    imageOutputName?: string;
  } = {},
) {
  const { heightPx = 256, widthPx = 256, threshold = 0.5, minAreaPx = 16 } = options;
  const { imageThreshold, imageOutputName = 'image_prob' } = options;
  const postprocess = { threshold, min_blob_area_px: minAreaPx, connectivity: 8 };
  return {
    input: { name: 'image', shape: ['batch', 3, heightPx, widthPx] },
    output: { name: 'plume_prob', shape: ['batch', 1, heightPx, widthPx] },
    ...(imageThreshold === undefined
      ? { postprocess }
      : {
          image_output: { name: imageOutputName, shape: ['batch', 1] },
          postprocess: { ...postprocess, image_threshold: imageThreshold },
        }),
  };
}
