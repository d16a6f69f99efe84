// Runs the dust-plume ONNX model with onnxruntime-node (the runtime src/detect/ uses) on
// raw float32 NCHW images, for scripts/dust/evaluate.py.
//   node scripts/dust/ort_infer.cjs MODEL INPUT.f32 COUNT OUTPUT.f32 THREADS
// Writes the plume probabilities (COUNT×1×H×W float32) to OUTPUT.f32 and, for a model with an
// image-level output, the image probabilities (COUNT float32) to OUTPUT.f32.image; prints
// {"msPerImage": …} as JSON.
const fs = require('node:fs');
const ort = require('onnxruntime-node');

async function main() {
  const [modelPath, inputPath, countText, outputPath, threadsText] = process.argv.slice(2);
  const count = Number(countText);
  const session = await ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: Number(threadsText),
    interOpNumThreads: 1,
  });
  const [, channels, height, width] = session.inputMetadata[0].shape;
  const perImage = channels * height * width;
  const input = new Float32Array(fs.readFileSync(inputPath).buffer);
  if (input.length !== count * perImage)
    throw new Error(`expected ${count * perImage} floats in ${inputPath}`);
  const [maskName, imageName] = session.outputNames;
  const output = new Float32Array(count * height * width);
  const imageOutput = new Float32Array(count);
  const run = async (i) => {
    const x = new ort.Tensor('float32', input.subarray(i * perImage, (i + 1) * perImage), [
      1,
      channels,
      height,
      width,
    ]);
    const result = await session.run({ [session.inputNames[0]]: x });
    output.set(result[maskName].data, i * height * width);
    if (imageName) imageOutput[i] = result[imageName].data[0];
  };
  for (let i = 0; i < Math.min(3, count); i++) await run(i); // warm-up
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await run(i); // batch of one, like a live frame
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  fs.writeFileSync(outputPath, Buffer.from(output.buffer));
  if (imageName) fs.writeFileSync(`${outputPath}.image`, Buffer.from(imageOutput.buffer));
  console.log(JSON.stringify({ msPerImage: elapsedMs / count, threads: Number(threadsText), count }));
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
