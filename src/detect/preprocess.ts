import sharp from 'sharp';

/** Packed 8-bit RGB pixels, row by row (what src/video's frames carry). */
export interface RgbImage {
  data: Buffer;
  width: number;
  height: number;
}

/**
 * The model input for one image: the whole image stretched to widthPx × heightPx (bilinear, no
 * letterbox, as the model was trained), as a 1×3×H×W float32 tensor of value / 255.
 */
export async function toModelInput(
  image: RgbImage,
  widthPx: number,
  heightPx: number,
): Promise<Float32Array> {
  const { data, width, height } = image;
  if (data.length !== width * height * 3) {
    throw new Error(
      `an RGB frame of ${width}×${height} needs ${width * height * 3} bytes, got ${data.length}`,
    );
  }
  const resized =
    width === widthPx && height === heightPx
      ? data
      : await sharp(data, { raw: { width, height, channels: 3 } })
          .resize(widthPx, heightPx, { fit: 'fill', kernel: 'linear' })
          .raw()
          .toBuffer();
  const plane = widthPx * heightPx;
  const tensor = new Float32Array(3 * plane);
  for (let i = 0, p = 0; p < plane; p++, i += 3) {
    tensor[p] = resized[i] / 255;
    tensor[plane + p] = resized[i + 1] / 255;
    tensor[2 * plane + p] = resized[i + 2] / 255;
  }
  return tensor;
}
