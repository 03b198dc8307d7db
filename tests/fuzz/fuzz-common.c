/* fuzz-common.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"

static char *tmp_dir;

static void
remove_tmp_dir (void)
{
  g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (tmp_dir);
}

/* g_error() and fatal criticals stop at a breakpoint (SIGTRAP), which
 * libFuzzer does not take for a crash; an abort it does. */
static void
on_trap (int signum)
{
  abort ();
}

/* A critical or a warning from GLib or the code under test means that
 * hostile input reached a precondition check (json-glib's accessors on
 * the wrong node type, say): that is a bug too, so it crashes. */
void
confab_fuzz_init (void)
{
  static gsize initialized;

  if (!g_once_init_enter (&initialized))
    return;

  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  signal (SIGTRAP, on_trap);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GIO_USE_VFS", "local", TRUE);
  tmp_dir = g_dir_make_tmp ("confab-fuzz-XXXXXX", NULL);
  g_assert (tmp_dir != NULL);
  atexit (remove_tmp_dir);

  g_once_init_leave (&initialized, 1);
}

/* A private file name for a target that needs a real file. */
char *
confab_fuzz_tmp_path (const char *name)
{
  g_assert (tmp_dir != NULL);
  return g_build_filename (tmp_dir, name, NULL);
}

/* The first four bytes choose how the rest is cut into reads, so the
 * fuzzer explores read boundaries as well as content. */
guint32
confab_fuzz_take_seed (const uint8_t **data,
                       size_t         *size)
{
  guint32 seed = 0;

  if (*size < 4)
    return 0;
  memcpy (&seed, *data, 4);
  *data += 4;
  *size -= 4;
  return GUINT32_FROM_LE (seed);
}

/* Mostly short reads (a network delivers what it likes), sometimes long
 * ones; seed 0 is one read per byte, the hardest case for a decoder. */
void
confab_fuzz_chunks (const char          *data,
                    gsize                size,
                    guint32              seed,
                    ConfabFuzzChunkFunc  func,
                    gpointer             user_data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  gsize offset = 0;

  while (offset < size)
    {
      gsize len;

      if (seed == 0)
        len = 1;
      else if (g_rand_int_range (rand, 0, 8) == 0)
        len = g_rand_int_range (rand, 1, 4096);
      else
        len = g_rand_int_range (rand, 1, 17);
      len = MIN (len, size - offset);
      func (data + offset, len, user_data);
      offset += len;
    }
}

void
confab_fuzz_check_utf8 (const char *text,
                        gssize      len,
                        const char *what)
{
  if (text != NULL && !g_utf8_validate (text, len, NULL))
    g_error ("%s is not valid UTF-8", what);
}
