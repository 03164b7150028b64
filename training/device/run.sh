#!/bin/bash
# One device session: OCR and detector candidates trained side by side for a fixed time; results tarred into $OUT.
set -u
nvidia-smi -L; nproc
cp -r .gpudata/fonts/usr/share/fonts/. /usr/share/fonts/
export PYTHONPATH=src:. PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1
python3 -c "import torch, cv2, PIL, numpy, onnx; print('torch', torch.__version__, 'cv2', cv2.__version__, 'numpy', numpy.__version__, torch.cuda.is_available())" || exit 3
M=${MINUTES:-7}
python3 -m training.detector.stream_train --data .gpudata/train --out $OUT/det --minutes $M --workers 5 --batch 32 \
  --init-onnx src/platewarden/recognition/models/detector.onnx --widths 1.0,1.5 > $OUT/det.log 2>&1 &
python3 -m training.ocr.stream_train --data .gpudata/train --out $OUT/ocr --minutes $M --workers 9 --batch 128 \
  --widths 1.0,1.5,2.0 > $OUT/ocr.log 2>&1 &
wait
grep -h "validation\|done\|Error\|error" $OUT/det.log $OUT/ocr.log | tail -40
cd $OUT && tar czf det.tgz det && tar czf ocr.tgz ocr && rm -rf det ocr && ls -la $OUT
