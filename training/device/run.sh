#!/bin/bash
# One device session: candidates trained side by side for a fixed time; results tarred into $OUT.
#   DETECTOR=1 (default) trains detector candidates beside the OCR (pack without --without-frames);
#   OCR_INIT=1 also fine-tunes the shipped OCR beside the fresh OCR candidates.
set -u
nvidia-smi -L; nproc
cp -r .gpudata/fonts/usr/share/fonts/. /usr/share/fonts/
export PYTHONPATH=src:. PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1
python3 -c "import torch, cv2, PIL, numpy, onnx; print('torch', torch.__version__, 'cv2', cv2.__version__, 'numpy', numpy.__version__, torch.cuda.is_available())" || exit 3
M=${MINUTES:-7}
DETECTOR=${DETECTOR:-1}
OCR_INIT=${OCR_INIT:-0}
OCR_WIDTHS=${OCR_WIDTHS:-1.0,1.5,2.0}
OCR_ARGS=${OCR_ARGS:-}
runs=()
if [ "$DETECTOR" = 1 ]; then
  python3 -m training.detector.stream_train --data .gpudata/train --out $OUT/det --minutes $M --workers 5 --batch 32 \
    --init-onnx src/platewarden/recognition/models/detector.onnx --widths 1.0,1.5 > $OUT/det.log 2>&1 &
  runs+=(det)
fi
if [ "$OCR_INIT" = 1 ]; then
  python3 -m training.ocr.stream_train --data .gpudata/train --out $OUT/ocr_ft --minutes $M --workers 7 --batch 128 \
    --init-onnx src/platewarden/recognition/models/ocr.onnx --lr 1e-3 $OCR_ARGS > $OUT/ocr_ft.log 2>&1 &
  runs+=(ocr_ft)
fi
python3 -m training.ocr.stream_train --data .gpudata/train --out $OUT/ocr --minutes $M --workers 8 --batch 128 \
  --widths $OCR_WIDTHS $OCR_ARGS > $OUT/ocr.log 2>&1 &
runs+=(ocr)
wait
for r in "${runs[@]}"; do grep -h "validation\|done\|Error\|error" $OUT/$r.log | tail -20; done
cd $OUT && for r in "${runs[@]}"; do tar czf $r.tgz $r && rm -rf $r; done; ls -la $OUT
