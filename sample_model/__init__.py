"""A small self-contained int8 model in C, its bit-exact Python reference, and its Model Library Format archive.

The reference host platform, its tests, the demo and the conformance kit use it as the
model_library_format_path and standalone_crt_dir that generate_project receives.
"""

from microtvm_project_api.sample_model.archive import write_mlf_archive
from microtvm_project_api.sample_model.reference import INPUT_SIZE, OUTPUT_SIZE, run
from microtvm_project_api.sample_model.runtime_dir import standalone_crt_dir

__all__ = ["INPUT_SIZE", "OUTPUT_SIZE", "run", "standalone_crt_dir", "write_mlf_archive"]
