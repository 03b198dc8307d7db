/* fuzz-markdown-view.c: a streamed reply into ConfabMarkdownView's widgets
 *
 * Input: 4 bytes choosing how the reply is cut into deltas, then the
 * reply. The deltas are appended as a stream would (rendering at random
 * points in between), then the same text is set at once in a second view.
 * Both must end with the same text, UTF-8 repaired alike, and neither may
 * crash, warn or leave GTK in a state that warns. Needs a display (run
 * under xvfb-run, as build-aux/fuzz and build-aux/test do); the widgets
 * are built and laid out but never shown.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gtk/gtk.h>
#include <string.h>

#include "confab-markdown-view.h"
#include "fuzz-common.h"

typedef struct
{
  ConfabMarkdownView *view;
  GRand              *rand;
} Stream;

int LLVMFuzzerInitialize (int    *argc,
                          char ***argv);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  confab_fuzz_init ();
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  if (!gtk_init_check ())
    g_error ("fuzz-markdown-view needs a display: run it under xvfb-run");
  return 0;
}

/* Appending takes a string, and a stream parser hands on C strings:
 * NUL bytes never reach the view. */
static char *
without_nuls (const char *data,
              gsize       size)
{
  GString *text = g_string_sized_new (size);

  for (gsize i = 0; i < size; i++)
    if (data[i] != '\0')
      g_string_append_c (text, data[i]);
  return g_string_free (text, FALSE);
}

static void
append_chunk (const char *chunk,
              gsize       len,
              gpointer    user_data)
{
  Stream *stream = user_data;
  g_autofree char *delta = without_nuls (chunk, len);

  confab_markdown_view_append (stream->view, delta);
  if (g_rand_int_range (stream->rand, 0, 16) == 0)
    confab_markdown_view_flush (stream->view);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GtkWidget) streamed = g_object_ref_sink (confab_markdown_view_new ());
  g_autoptr(GtkWidget) whole = g_object_ref_sink (confab_markdown_view_new ());
  g_autoptr(GRand) rand = NULL;
  g_autofree char *text = NULL;
  Stream stream;
  guint32 seed;

  seed = confab_fuzz_take_seed (&data, &size);
  rand = g_rand_new_with_seed (seed);
  stream.view = CONFAB_MARKDOWN_VIEW (streamed);
  stream.rand = rand;
  confab_fuzz_chunks ((const char *)data, size, seed, append_chunk, &stream);
  confab_markdown_view_flush (stream.view);

  text = without_nuls ((const char *)data, size);
  confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (whole), text);
  confab_markdown_view_flush (CONFAB_MARKDOWN_VIEW (whole));

  confab_fuzz_check_utf8 (confab_markdown_view_get_text (CONFAB_MARKDOWN_VIEW (whole)), -1,
                          "the view's text");
  confab_fuzz_require (g_strcmp0 (confab_markdown_view_get_text (stream.view),
                                  confab_markdown_view_get_text (CONFAB_MARKDOWN_VIEW (whole))) == 0);

  gtk_widget_measure (whole, GTK_ORIENTATION_VERTICAL, 600, NULL, NULL, NULL, NULL);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return 0;
}
