"""Extension list for the Cython message core.

SIPFAST_NO_EXTENSIONS=1 builds (and later selects) the pure-Python twin only.
SIPFAST_DEBUG_BUILD=1 compiles with line tracing and assertions (profiling, coverage).
SIPFAST_ANNOTATE=1 writes the cython -a HTML next to each .pyx.
"""

import os

from setuptools import Extension, setup

NO_EXTENSIONS = bool(os.environ.get("SIPFAST_NO_EXTENSIONS"))
DEBUG = bool(os.environ.get("SIPFAST_DEBUG_BUILD"))
ANNOTATE = bool(os.environ.get("SIPFAST_ANNOTATE"))

MODULES = ["_values_c", "_message_c", "_stream_c"]


def extensions():
    if NO_EXTENSIONS:
        return []
    from Cython.Build import cythonize

    macros = [("CYTHON_TRACE_NOGIL", "1")] if DEBUG else []
    args = ["-O0", "-g"] if DEBUG else ["-O2"]
    exts = [
        Extension(
            f"sipfast.message.{name}",
            [f"src/sipfast/message/{name}.pyx"],
            define_macros=macros,
            extra_compile_args=args,
        )
        for name in MODULES
    ]
    return cythonize(
        exts,
        annotate=ANNOTATE,
        compiler_directives={
            "language_level": "3",
            "linetrace": DEBUG,
            "profile": DEBUG,
            "embedsignature": True,
        },
    )


setup(ext_modules=extensions())
