"""Batch scoring on Apache Spark: FerMlNet's exported ONNX model over a folder of face images, one ONNX Runtime
session per partition (mapPartitions), written as CSV with `fer score`'s path, label, confidence, p_* and error columns.

    spark-submit --py-files fer_contract.py --files ../../models/fer-default.onnx \\
        score_faces.py INPUT_FOLDER OUTPUT_FOLDER [--model fer-default.onnx] [--threshold 0.7]

Workers need Python 3 with numpy, pillow and onnxruntime (pip install numpy pillow onnxruntime pyspark). The input
is face crops (dataset faces, `fer data import` output, a detector's crops): the Python contract equals FerMlNet's on
48x48 crops; whole photos need FerMlNet's face detection first (`fer score --detect-faces` on each shard instead).
A file the contract refuses is a row with its reason in `error`, never a failed task, so Spark does not retry a
poison partition. Rows are written per partition in Spark's order; `path` is relative to INPUT_FOLDER.
"""
import argparse
import os

import numpy as np

import fer_contract as contract

BATCH = 64
COLUMNS = ["path", "label", "confidence"] + [f"p_{c}" for c in contract.CLASSES] + ["error"]


def score_partition(rows, model_file, root, threshold):
    """One partition: open the model once, preprocess each file by the contract, run ONNX Runtime in batches."""
    import onnxruntime as ort
    from pyspark import SparkFiles

    session = ort.InferenceSession(SparkFiles.get(model_file), providers=["CPUExecutionProvider"])
    pending = []

    def flush():
        if not pending:
            return
        inputs = np.stack([x for _, x in pending])
        probabilities = session.run([contract.PROBABILITIES_NAME], {contract.INPUT_NAME: inputs})[0]
        for (path, _), p in zip(pending, probabilities):
            label, confidence = contract.answer(p, threshold)
            yield [path, label, round(confidence, 6)] + [round(float(v), 6) for v in p] + [""]
        pending.clear()

    for row in rows:
        path = os.path.relpath(row.path.removeprefix("file:"), root)
        try:
            pending.append((path, contract.network_input(bytes(row.content))))
        except contract.ContractError as error:
            yield [path, "", None, None, None, None, None, str(error)]
        if len(pending) == BATCH:
            yield from flush()
    yield from flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--model", default="fer-default.onnx", help="file name given to --files")
    parser.add_argument("--threshold", type=float, default=contract.UNCERTAIN_THRESHOLD)
    args = parser.parse_args()

    from pyspark.sql import SparkSession
    from pyspark.sql.types import DoubleType, StringType, StructField, StructType

    spark = SparkSession.builder.appName("fermlnet-score").getOrCreate()
    root = os.path.abspath(args.input)
    files = (spark.read.format("binaryFile")
             .option("recursiveFileLookup", "true")
             .option("pathGlobFilter", "*.{jpg,jpeg,png,bmp,gif,webp,JPG,JPEG,PNG}")
             .load(root))
    schema = StructType([StructField("path", StringType()), StructField("label", StringType()),
                         StructField("confidence", DoubleType())]
                        + [StructField(f"p_{c}", DoubleType()) for c in contract.CLASSES]
                        + [StructField("error", StringType())])
    scored = files.select("path", "content").rdd.mapPartitions(
        lambda rows: score_partition(rows, args.model, root, args.threshold))
    spark.createDataFrame(scored, schema).write.option("header", "true").csv(args.output)
    spark.stop()


if __name__ == "__main__":
    main()
