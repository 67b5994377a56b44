# Every dependency found the way Debian 12 ships it (ARCHITECTURE.md rule 3).
# On a GPU machine only Torch changes: pass -DCMAKE_PREFIX_PATH or -DTorch_DIR
# pointing at a CUDA build of libtorch.
find_package(PkgConfig REQUIRED)

# OpenMP before faiss: faiss's exported target names OpenMP::OpenMP_CXX (and
# brings BLAS and LAPACK, which its static library needs at link).
find_package(OpenMP REQUIRED)
find_package(faiss REQUIRED)
find_package(Torch REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(CLI11 REQUIRED)
pkg_check_modules(sentencepiece REQUIRED IMPORTED_TARGET sentencepiece)
pkg_check_modules(xxhash REQUIRED IMPORTED_TARGET libxxhash)
find_package(ICU REQUIRED COMPONENTS uc i18n)

# libcsv ships neither a pkg-config file nor a CMake package.
find_path(LIBCSV_INCLUDE_DIR csv.h REQUIRED)
find_library(LIBCSV_LIBRARY csv REQUIRED)
add_library(libcsv::libcsv UNKNOWN IMPORTED)
set_target_properties(libcsv::libcsv PROPERTIES
  IMPORTED_LOCATION ${LIBCSV_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${LIBCSV_INCLUDE_DIR})

if(DISTILL_BUILD_GUI OR DISTILL_BUILD_TESTS)
  set(_qt_components Core)
  if(DISTILL_BUILD_GUI)
    list(APPEND _qt_components Widgets PrintSupport)
  endif()
  if(DISTILL_BUILD_TESTS)
    list(APPEND _qt_components Test)
  endif()
  find_package(Qt6 REQUIRED COMPONENTS ${_qt_components})
  if(DISTILL_BUILD_GUI)
    find_package(QCustomPlotQt6 REQUIRED)
  endif()
endif()
