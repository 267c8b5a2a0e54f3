"""Look-alike class groups: the built-in definitions (JSON package data) and user-defined ones.

A group set is data, not code. The built-in sets live in ``metrics/groups/*.json``::

    {"name": "ntu120_sfhead9", "aliases": [...], "title": "...", "source": "...",
     "class_names": [...],                        # optional, the whole dataset's names
     "groups": {"jacket_off_on": [{"label": 14, "name": "take off jacket"}, 13, ...], ...}}

A member is a class index (``int``), a class name (``str``, looked up in the class-name list)
or an object ``{"label": int, "name": str, ...}``. ``groups`` may also be a list of member
lists (named ``group1``, ``group2``, ...). The same forms are accepted inline in a config::

    dict(type='AmbiguousGroupMetric', groups='ntu120_sfhead9')
    dict(type='AmbiguousGroupMetric', groups={'sit_stand': ['sit down', 'stand up']},
         class_names='data/my_classes.txt')
"""
import difflib
import json
import os
import os.path as osp
import re
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

#: Folder of the built-in group files (package data).
BUILTIN_DIR = osp.join(osp.dirname(osp.abspath(__file__)), 'metrics', 'groups')

GroupsSpec = Union[str, Mapping[str, Sequence], Sequence[Sequence]]
ClassNamesSpec = Union[None, str, Sequence[str]]


class MissingClassNames(ValueError):
    """A class was given by name, but no class-name list is known yet."""


def slugify(name: str) -> str:
    """A name safe inside a metric key: lower case, runs of other characters -> ``_``."""
    return re.sub(r'[^0-9a-z]+', '_', str(name).lower()).strip('_')


@dataclass(frozen=True)
class ClassGroup:
    """One group of look-alike classes.

    Args:
        name (str): Key-safe name (used in metric keys such as ``ambiguous/<name>/acc``).
        classes (tuple[int]): Class indices, in the order given.
    """
    name: str
    classes: Tuple[int, ...]


@dataclass
class GroupSet:
    """Resolved groups plus what is known about the class names.

    Args:
        name (str): The built-in name, the file path, or ``'custom'``.
        groups (list[ClassGroup]): The groups, in definition order.
        class_names (dict[int, str]): Display names known for some or all classes.
        num_names (int, optional): Length of the user's class-name list, when one was given
            (it must then match the number of predicted classes).
    """
    name: str
    groups: List[ClassGroup]
    class_names: Dict[int, str] = field(default_factory=dict)
    num_names: Optional[int] = None

    @property
    def classes(self) -> List[int]:
        """Every class of every group, sorted, each once."""
        return sorted({c for g in self.groups for c in g.classes})

    def display_name(self, label: int) -> str:
        return self.class_names.get(int(label), f'class {int(label)}')

    def check_num_classes(self, num_classes: int) -> None:
        """Fail, naming the group and class, when a member is beyond the model's classes."""
        if self.num_names is not None and self.num_names != num_classes:
            raise ValueError(f'{self.num_names} class names were given for {self.name!r}, but '
                             f'the predictions have {num_classes} classes')
        for group in self.groups:
            for c in group.classes:
                if c >= num_classes:
                    raise ValueError(
                        f'group {group.name!r} of {self.name!r} has class index {c} '
                        f'({self.display_name(c)!r}), but the predictions have only '
                        f'{num_classes} classes')


def builtin_files() -> Dict[str, str]:
    """Built-in group-set names (and their aliases) -> JSON path."""
    found: Dict[str, str] = {}
    if not osp.isdir(BUILTIN_DIR):
        return found
    for fname in sorted(p for p in os.listdir(BUILTIN_DIR) if p.endswith('.json')):
        path = osp.join(BUILTIN_DIR, fname)
        data = _read_json(path)
        for name in [osp.splitext(fname)[0], data.get('name')] + list(data.get('aliases', [])):
            if name:
                found.setdefault(name, path)
    return found


def _read_json(path: str):
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except json.JSONDecodeError as e:
        raise ValueError(f'{path}: not valid JSON ({e})') from None


def load_class_names(spec: ClassNamesSpec) -> Optional[List[str]]:
    """A dataset's class names, from a list or a file.

    Args:
        spec: ``None``; a list of names (index = label); or a path to a ``.json`` file (a list,
            or an object with ``class_names``) or a text file with one name per line.

    Returns:
        list[str] | None
    """
    if spec is None:
        return None
    if isinstance(spec, str):
        path = spec
        if not osp.isfile(path):
            raise FileNotFoundError(f'class-name file {path!r} does not exist')
        if path.endswith('.json'):
            data = _read_json(path)
            names = data.get('class_names') if isinstance(data, dict) else data
            if not isinstance(names, list):
                raise ValueError(f'{path}: expected a JSON list of class names or an object '
                                 f'with "class_names"')
        else:
            with open(path, encoding='utf-8') as f:
                lines = [ln.strip() for ln in f.read().splitlines()]
            while lines and not lines[-1]:
                lines.pop()
            for i, ln in enumerate(lines):
                if not ln:
                    raise ValueError(f'{path}: line {i + 1} is empty (one class name per line; '
                                     f'an empty line would shift every later label)')
            names = lines
    else:
        names = list(spec)
    for i, n in enumerate(names):
        if not isinstance(n, str) or not n.strip():
            raise ValueError(f'class name {i} is {n!r}; class names must be non-empty strings')
    return [n.strip() for n in names]


def _normalise(name: str) -> str:
    return ' '.join(str(name).lower().split())


def resolve_groups(groups: GroupsSpec, class_names: ClassNamesSpec = None) -> GroupSet:
    """Turn a group spec into a :class:`GroupSet`, checking every member.

    Args:
        groups: A built-in name (see :func:`builtin_files`), a path to a group JSON file, a
            dict ``{name: [member, ...]}`` or a list of member lists.
        class_names: The dataset's class names (list or file), needed for members given by
            name unless the group file lists the names itself.

    Raises:
        ValueError: A member names an unknown class, an index is out of range, a group is
            empty or has a duplicate, or two group names collide.
    """
    user_names = load_class_names(class_names)
    source = 'custom'
    file_names: Optional[List[str]] = None
    if isinstance(groups, str):
        builtins = builtin_files()
        if groups in builtins:
            path = builtins[groups]
        elif osp.isfile(groups):
            path = groups
        else:
            raise ValueError(f'groups={groups!r} is neither a built-in group set '
                             f'({", ".join(sorted(builtins))}) nor an existing JSON file')
        data = _read_json(path)
        if not isinstance(data, dict) or 'groups' not in data:
            raise ValueError(f'{path}: a group file is a JSON object with a "groups" entry')
        source = data.get('name') or groups
        file_names = data.get('class_names')
        if file_names is not None:
            file_names = load_class_names(file_names)
        raw = data['groups']
    else:
        raw = groups
    if isinstance(raw, Mapping):
        items = list(raw.items())
    elif isinstance(raw, (list, tuple)):
        items = [(f'group{i + 1}', members) for i, members in enumerate(raw)]
    else:
        raise TypeError(f'groups must be a name, a path, a dict or a list, not '
                        f'{type(raw).__name__}')
    if not items:
        raise ValueError(f'group set {source!r} defines no groups')

    lookup_names = user_names if user_names is not None else file_names
    display: Dict[int, str] = {}
    if file_names:
        display.update(enumerate(file_names))
    resolved: List[ClassGroup] = []
    seen: Dict[str, str] = {}
    for gname, members in items:
        key = slugify(gname)
        if not key:
            raise ValueError(f'group name {gname!r} of {source!r} has no letters or digits')
        if key in seen:
            raise ValueError(f'group names {seen[key]!r} and {gname!r} of {source!r} both '
                             f'become the key {key!r}')
        seen[key] = gname
        if isinstance(members, (str, bytes)) or not isinstance(members, (list, tuple)):
            raise ValueError(f'group {gname!r} of {source!r}: expected a list of classes, '
                             f'got {members!r}')
        labels: List[int] = []
        for m in members:
            label, name = resolve_member(m, f'group {gname!r} of {source!r}', lookup_names)
            if label in labels:
                raise ValueError(f'group {gname!r} of {source!r} lists class {label} twice')
            labels.append(label)
            if name and label not in display:
                display[label] = name
        if len(labels) < 2:
            raise ValueError(f'group {gname!r} of {source!r} has {len(labels)} class(es); a '
                             f'look-alike group needs at least two')
        resolved.append(ClassGroup(key, tuple(labels)))
    if user_names is not None:  # the dataset's own names win for display
        display.update(enumerate(user_names))
    return GroupSet(source, resolved, display, None if user_names is None else len(user_names))


def resolve_member(member, where: str,
                   names: Optional[List[str]]) -> Tuple[int, Optional[str]]:
    """One class given as an index, a name or ``{"label": ...}`` -> (index, name or None).

    Args:
        member: The class.
        where (str): Who asks, for the error message (e.g. ``"group 'x' of 'y'"``).
        names (list[str], optional): The dataset's class names.
    """
    if isinstance(member, Mapping):
        if 'label' not in member:
            raise ValueError(f'{where}: member {member!r} has no "label"')
        label, name = member['label'], member.get('name')
        if not isinstance(label, int) or isinstance(label, bool):
            raise ValueError(f'{where}: member {member!r} has a non-integer label')
    elif isinstance(member, bool):
        raise ValueError(f'{where}: member {member!r} is not a class index or name')
    elif isinstance(member, int):
        label, name = member, None
    elif isinstance(member, str):
        if names is None:
            raise MissingClassNames(
                f'{where} names class {member!r}, but no class names are known: pass '
                f'class_names (a list or a file with one name per line)')
        wanted = _normalise(member)
        matches = [i for i, n in enumerate(names) if _normalise(n) == wanted]
        if not matches:
            close = difflib.get_close_matches(member, names, n=3)
            hint = f'; did you mean {", ".join(map(repr, close))}?' if close else ''
            raise ValueError(f'{where} names unknown class {member!r}{hint}')
        label, name = matches[0], names[matches[0]]
    else:
        raise ValueError(f'{where}: member {member!r} is not a class index or name')
    if label < 0:
        raise ValueError(f'{where}: class index {label} is negative')
    if names is not None and label >= len(names):
        raise ValueError(f'{where}: class index {label} is out of range for the '
                         f'{len(names)} class names')
    return int(label), name
