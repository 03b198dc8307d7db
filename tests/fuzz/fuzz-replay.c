/* fuzz-replay.c: runs a fuzz target on files, without libFuzzer
 *
 * Usage: fuzz-replay-TARGET PATH…  where each PATH is a file or a folder
 * of inputs (the seed corpus, the regressions). Every ordinary build has
 * these drivers, so every test run replays every crash libFuzzer ever
 * found. If an input crashes, its name is printed before the crash.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fuzz-common.h"

int LLVMFuzzerInitialize (int    *argc,
                          char ***argv) __attribute__ ((weak));

static char current[4096];

static void
on_fatal_signal (int signum)
{
  static const char prefix[] = "fuzz-replay: crashed on ";

  if (write (STDERR_FILENO, prefix, sizeof prefix - 1) < 0 ||
      write (STDERR_FILENO, current, strlen (current)) < 0 ||
      write (STDERR_FILENO, "\n", 1) < 0)
    {
      /* Nothing more to say: the process is dying anyway. */
    }
  raise (signum);
}

/* On its own stack, so that a stack overflow is reported too. */
static void
install_handlers (void)
{
  static const int signals[] = { SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGTRAP, SIGILL };
  stack_t stack = { 0 };
  struct sigaction action = { 0 };

  stack.ss_size = 64 * 1024;
  stack.ss_sp = g_malloc (stack.ss_size);
  sigaltstack (&stack, NULL);

  action.sa_handler = on_fatal_signal;
  action.sa_flags = SA_ONSTACK | SA_RESETHAND;
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    sigaction (signals[i], &action, NULL);
}

static void
replay_file (const char *path,
             guint      *n_inputs)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  if (!g_file_get_contents (path, &contents, &len, &error))
    g_error ("fuzz-replay: %s", error->message);

  g_strlcpy (current, path, sizeof current);
  LLVMFuzzerTestOneInput ((const uint8_t *)contents, len);
  (*n_inputs)++;
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *)a, *(const char * const *)b);
}

/* In name order, so a run is reproducible. */
static void
replay_dir (const char *path,
            guint      *n_inputs)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    replay_file (g_ptr_array_index (names, i), n_inputs);
}

int
main (int    argc,
      char **argv)
{
  guint n_inputs = 0;

  install_handlers ();

  if (LLVMFuzzerInitialize != NULL)
    LLVMFuzzerInitialize (&argc, &argv);

  for (int i = 1; i < argc; i++)
    {
      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        replay_dir (argv[i], &n_inputs);
      else if (g_file_test (argv[i], G_FILE_TEST_EXISTS))
        replay_file (argv[i], &n_inputs);
    }

  printf ("%u inputs replayed\n", n_inputs);
  return 0;
}
