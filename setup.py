"""Packages and a build hook; everything else is in ``pyproject.toml``.

Packages: ``sfhead_mm`` and its subpackages, and the repository's ``data_prep/`` folder installed
as ``sfhead_mm.data_prep`` (``package_dir``), so a regular install has the converters in the
package's namespace (``python -m sfhead_mm.data_prep.ntu``, console scripts ``sfhead-ntu``,
``sfhead-nwucla``, ``sfhead-pkummd``, ``sfhead-verify``, ``sfhead-fsd10``) and no generic top-level ``data_prep``
package that would clash with another project's. In a checkout ``python -m data_prep.ntu`` keeps
working: the folder is importable from the repository root.

Build hook: ship ``configs/`` and ``tools/`` inside the package as ``sfhead_mm/.mim``.
``mim train sfhead_mm CONFIG`` runs ``<site-packages>/sfhead_mm/.mim/tools/train.py`` and looks up
config names under ``.mim/configs``; MMAction2 does the same in its own setup.py. The copy is made
in the build directory only, so the source tree never holds a second copy of either folder.
"""
import os
import shutil

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

MIM_FOLDERS = ('configs', 'tools')


class BuildWithMim(build_py):

    def run(self):
        super().run()
        root = os.path.dirname(os.path.abspath(__file__))
        mim_dir = os.path.join(self.build_lib, 'sfhead_mm', '.mim')
        for folder in MIM_FOLDERS:
            src = os.path.join(root, folder)
            dst = os.path.join(mim_dir, folder)
            if os.path.isdir(dst):
                shutil.rmtree(dst)
            shutil.copytree(
                src, dst, ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))


setup(
    packages=find_packages(include=['sfhead_mm', 'sfhead_mm.*']) + ['sfhead_mm.data_prep'],
    package_dir={'sfhead_mm.data_prep': 'data_prep'},
    cmdclass={'build_py': BuildWithMim})
