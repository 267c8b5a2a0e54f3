"""Command-line pieces shared by ``tools/analysis/*.py``: choosing the groups and class names."""
import argparse
from typing import Optional

from .group_spec import GroupSet, builtin_files, resolve_groups


def add_group_arguments(parser: argparse.ArgumentParser,
                        default: Optional[str] = 'ntu120_sfhead9') -> None:
    """``--groups`` (a built-in set or a group JSON file) and ``--class-names`` (a file)."""
    parser.add_argument(
        '--groups', default=default,
        help=f'look-alike groups: a built-in set ({", ".join(sorted(builtin_files()))}) or a '
        f'group JSON file (default: {default})')
    parser.add_argument(
        '--class-names',
        help='class names of the dataset: a .txt file (one per line, line i = label i), a '
        '.json list, or a config .py (the names it declares: class_names / metainfo.classes); '
        'needed for groups given by name, used for display')


def class_names_arg(spec):
    """``--class-names`` as :func:`resolve_groups` takes it: a config file becomes the class
    names it declares (docs/custom_dataset.md); anything else is passed on."""
    if isinstance(spec, str) and spec.endswith('.py'):
        from mmengine.config import Config

        from ..datasets.layout_checks import config_class_names
        names = config_class_names(Config.fromfile(spec))
        if names is None:
            raise SystemExit(f'--class-names {spec}: the config declares no class names '
                             f'(class_names or a dataset metainfo.classes)')
        return names
    return spec


def groups_from_args(args: argparse.Namespace, num_classes: Optional[int] = None) -> GroupSet:
    """Resolve ``--groups``/``--class-names``; check them against ``num_classes`` if given."""
    args.class_names = class_names_arg(args.class_names)
    group_set = resolve_groups(args.groups, args.class_names)
    if num_classes is not None:
        group_set.check_num_classes(num_classes)
    return group_set
