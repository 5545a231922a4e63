// Sanitizer suppressions of the programs that render PDFs (cryptodash, reports_test), read by
// the sanitizer runtime when the process starts (ASan / TSan builds; elsewhere the functions
// are never called). Linked into each as the object library cryptodash_sanitizer_suppressions.
// Only system libraries are named here, never our code.

// The sanitizer runtime looks these names up: they cannot follow our naming.
// NOLINTBEGIN(bugprone-reserved-identifier,readability-identifier-naming)

// LeakSanitizer. fontconfig: its one-time configuration load (FcInit, which pango's font map
// calls on the first render_report_pdf of the process) leaves 288 bytes of the parsed
// configuration unreachable (fontconfig 2.14.1, Debian 12). Not our allocation and not per
// call. ASan's fast unwinder stops inside libfontconfig (built without frame pointers), so
// the library's name is all a suppression can match. Our own objects (cairo, pango, the font
// map) are all freed: see pdf_canvas.cpp.
extern "C" __attribute__((visibility("default"), used)) const char* __lsan_default_suppressions() {
  return "leak:libfontconfig.so\n";
}

// ThreadSanitizer.
// - cairo, pango, glib, fontconfig, harfbuzz and freetype are not instrumented and synchronise
//   with their own atomics and futexes (GMutex, g_once), which TSan cannot see; pango 1.50 also
//   loads the fontconfig configuration on a thread of its own. Our use of them is serialised
//   by render_report_pdf's lock (pdf.cpp), so what TSan reports inside them is between their
//   own threads and ours through memory they hand over with that invisible synchronisation.
// - Boost.Asio's shared_target_executor (any_io_executor holding a strand) frees its target
//   after `fetch_sub(release)` + `atomic_thread_fence(acquire)` (detail/atomic_count.hpp);
//   TSan does not model stand-alone fences, and reports the delete as racing the decrement.
extern "C" __attribute__((visibility("default"), used)) const char* __tsan_default_suppressions() {
  return "race:libcairo.so\n"
         "race:libpango-1.0.so\n"
         "race:libpangoft2-1.0.so\n"
         "race:libpangocairo-1.0.so\n"
         "race:libglib-2.0.so\n"
         "race:libgobject-2.0.so\n"
         "race:libfontconfig.so\n"
         "race:libharfbuzz.so\n"
         "race:libfreetype.so\n"
         "race:boost::asio::execution::detail::shared_target_executor::~shared_target_executor\n";
}

// NOLINTEND(bugprone-reserved-identifier,readability-identifier-naming)
