# MMAction2's runtime, plus the import of this package (its backbones, heads, SF-Head) for any
# tool that reads the config, MMAction2's own included.
_base_ = 'mmaction::_base_/default_runtime.py'
custom_imports = dict(imports=['sfhead_mm'], allow_failed_imports=False)
default_hooks = dict(checkpoint=dict(interval=1), logger=dict(interval=100))
