# MDR-GCN, NTU RGB+D 60 X-Sub, 3D joints (joint stream), the authors' recipe: batch 64, lr 0.1,
# x0.1 at epochs 35 and 55, 65 epochs. SF-Head by override:
#   --cfg-options model.type=SFRecognizerGCN
# RDL: mdrgcn_rdl_ntu60-xsub.py. CVSTA is built into MDR-GCN (no plugin needed).
_base_ = ['./_base_/mdrgcn_model.py', './_base_/ntu60_xsub_64f.py',
          './_base_/schedule_65e.py', '../_base_/default_runtime.py']
