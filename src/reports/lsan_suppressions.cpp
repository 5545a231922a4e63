// LeakSanitizer suppressions of the programs that render PDFs (cryptodash, reports_test), read
// by LSan when the process starts (ASan builds; elsewhere the function is never called).
// Linked into each as the object library cryptodash_lsan_suppressions.
//
// fontconfig: its one-time configuration load (FcInit, which pango's font map calls on the
// first render_report_pdf of the process) leaves 288 bytes of the parsed configuration
// unreachable (fontconfig 2.14.1, Debian 12). Not our allocation and not per call. ASan's
// fast unwinder stops inside libfontconfig (built without frame pointers), so the library's
// name is all a suppression can match. Our own objects (cairo, pango, the font map) are all
// freed: see pdf_canvas.cpp.

// The sanitizer runtime looks this name up: it cannot follow our naming.
// NOLINTNEXTLINE(bugprone-reserved-identifier,readability-identifier-naming)
extern "C" __attribute__((visibility("default"), used)) const char* __lsan_default_suppressions() {
  return "leak:libfontconfig.so\n";
}
