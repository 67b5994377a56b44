# `cpack -G DEB` in the build folder makes distill-studio_<version>_amd64.deb:
# the CLI, the GUI, the sentencepiece module, the demo project and a menu entry.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/demo/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/distill-studio/demo COMPONENT runtime
        PATTERN "generate.py" EXCLUDE)
if(DISTILL_BUILD_GUI)
  install(FILES ${PROJECT_SOURCE_DIR}/installer/distill-studio.desktop
          DESTINATION ${CMAKE_INSTALL_DATADIR}/applications COMPONENT runtime)
endif()

set(CPACK_PACKAGE_NAME distill-studio)
set(CPACK_PACKAGE_VENDOR "Distill Studio")
set(CPACK_PACKAGE_CONTACT "Distill Studio developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Runtime libraries are found from the binaries' links; OpenBLAS is named
# explicitly because it is chosen through alternatives, not linked directly.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libopenblas0-pthread")
include(CPack)
