/* assert.h - assert() prints file:line: expression and exits with
 * CAPOS_EXIT_ASSERT (lib/src/libc.c). NDEBUG turns it off. */
#undef assert
__attribute__((noreturn)) void capos_assert_fail(const char *expr, const char *file,
						 int line, const char *func);
#ifdef NDEBUG
#define assert(e) ((void)0)
#else
#define assert(e) ((e) ? (void)0 : capos_assert_fail(#e, __FILE__, __LINE__, __func__))
#endif
#ifndef static_assert
#define static_assert _Static_assert
#endif
