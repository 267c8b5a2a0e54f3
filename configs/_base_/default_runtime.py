# MMAction2's runtime, plus what every run of this package's configs needs, declared here so that
# MMAction2's own tools and `mim train mmaction2` behave exactly like ours:
# - custom_imports: the subpackages that register the package's models, transforms, hooks and
#   metrics into MMAction2's registries (importing them changes nothing else);
# - EpochSeedHook: reseeds every epoch from (seed, epoch, rank), so --resume equals an
#   uninterrupted run (`epoch_reseed = False` turns it off);
# - CheckDataHook: checks the built datasets against the model before the first step
#   (`check_data = False` turns it off);
# - SafeCheckpointHook: resume/load_from/test read mmengine checkpoints with torch's
#   weights_only=True and an allow-list of exactly what they hold;
# - FiniteLossHook: stops the run at the first iteration whose loss is nan or inf, naming it
#   (`check_loss = False` turns it off);
# - CompileForwardHook: nothing unless `compile_forward` is set (True or torch.compile arguments,
#   e.g. `compile_forward = dict(backend='cudagraphs')`): then torch.compile compiles the model's
#   forward only, not the data preprocessor and optimizer step that mmengine's `compile=`
#   recompiles every step and every learning-rate change.
_base_ = 'mmaction::_base_/default_runtime.py'
custom_imports = dict(
    imports=['sfhead_mm.models', 'sfhead_mm.datasets', 'sfhead_mm.engine',
             'sfhead_mm.evaluation'],
    allow_failed_imports=False)
custom_hooks = [
    dict(type='SafeCheckpointHook'),
    dict(type='EpochSeedHook'),
    dict(type='CheckDataHook'),
    dict(type='FiniteLossHook'),
    dict(type='CompileForwardHook'),
]
default_hooks = dict(checkpoint=dict(interval=1), logger=dict(interval=100))
