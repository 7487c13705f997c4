"""Extension list for the Cython message core.

SIPFAST_NO_EXTENSIONS=1 builds (and later selects) the pure-Python twin only: the wheel
is then ``py3-none-any``.
SIPFAST_DEBUG_BUILD=1 compiles with -O0 -g, line tracing and profiling hooks (coverage,
profilers).
SIPFAST_ANNOTATE=1 writes the cython -a HTML next to each .pyx.

The .pyx files are turned into C only when extensions are built (build_ext), never for
an sdist, which carries the .pyx/.pxd sources and no generated C.  Cython regenerates a
.c only when its sources changed, so a change of mode (debug, annotate, release) since
the last build forces it to regenerate them all.
"""

import os
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

NO_EXTENSIONS = bool(os.environ.get("SIPFAST_NO_EXTENSIONS"))
DEBUG = bool(os.environ.get("SIPFAST_DEBUG_BUILD"))
ANNOTATE = bool(os.environ.get("SIPFAST_ANNOTATE"))

MODULES = ["_values_c", "_message_c", "_stream_c"]
MODE = "debug" if DEBUG else "release"
MODE_STAMP = Path("build") / "sipfast-cython-mode"


class cythonize_then_build_ext(build_ext):
    """Runs cythonize on the extensions when (and only when) they are built.

    Not in finalize_options: sdist finalizes build_ext too, to list the sources.
    """

    def run(self):
        from Cython.Build import cythonize

        force = ANNOTATE or not MODE_STAMP.is_file() or MODE_STAMP.read_text() != MODE
        cythonized = cythonize(
            self.extensions,
            annotate=ANNOTATE,
            force=force,  # cython -a writes its HTML only for a module it compiles
            compiler_directives={
                "language_level": "3",
                "linetrace": DEBUG,
                "profile": DEBUG,
                "embedsignature": True,
            },
        )
        sources = {ext.name: ext.sources for ext in cythonized}
        for ext in self.extensions:  # the objects finalize_options indexed, now with .c sources
            ext.sources = sources[ext.name]
        MODE_STAMP.parent.mkdir(exist_ok=True)
        MODE_STAMP.write_text(MODE)
        super().run()


def extensions():
    if NO_EXTENSIONS:
        return []
    macros = [("CYTHON_TRACE_NOGIL", "1")] if DEBUG else []
    args = ["-O0", "-g"] if DEBUG else ["-O2"]
    return [
        Extension(
            f"sipfast.message.{name}",
            [f"src/sipfast/message/{name}.pyx"],
            define_macros=macros,
            extra_compile_args=args,
        )
        for name in MODULES
    ]


setup(ext_modules=extensions(), cmdclass={"build_ext": cythonize_then_build_ext})
