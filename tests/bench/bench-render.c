/* bench-render.c: a long markdown reply, streamed into the real message row
 *
 *   bench-render [--size BYTES] [--rate DELTAS_PER_S] [--runs N]
 *
 * Renders a markdown reply (bench-text.c: prose in English and Chinese,
 * nested lists, ten fenced code blocks in ten languages, a table) in a
 * ConfabMessageRow, whose body is the ConfabMarkdownView the
 * conversation view shows, in a window under the user's eyes:
 *
 *  - one-shot: the whole text at once, as when a conversation is opened;
 *  - streamed: in deltas of 20 bytes (whole characters), one per
 *    main-loop iteration, as fast as the main loop takes them;
 *  - paced: the same deltas at DELTAS_PER_S (default 500) a second.
 *
 * For each it measures the main thread's CPU time until the last frame
 * showing all the text was drawn; for the paced run also the longest
 * main-loop iteration (the longest time the app could not react: main
 * thread CPU time, and wall-clock time less waiting beside it, see
 * bench-ui.c) and the longest frame. The view follows the end of the
 * reply, as the conversation view does. Prints one JSON object.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "bench-text.h"
#include "bench-ui.h"
#include "confab-markdown-view.h"
#include "confab-message-row.h"

#define DELTA_BYTES 20
/* After the last frame, time for what the frame set off (the view
 * following the end, a relayout) to finish: counted, as it is work. */
#define SETTLE_S    0.1

typedef struct
{
  GtkWidget     *window;
  GtkBox        *box;
  GtkAdjustment *adjustment;
  GPtrArray     *deltas;
  char          *document;

  /* The run under way */
  ConfabMessage *message;
  guint          next_delta;
  gint64         pace_start_us;
  double         rate;
} Bench;

/* Whole characters, as a provider's stream delivers them. */
static GPtrArray *
split_deltas (const char *text)
{
  GPtrArray *deltas = g_ptr_array_new_with_free_func (g_free);
  const char *end = text + strlen (text);

  for (const char *p = text; p < end;)
    {
      const char *stop = p + MIN (DELTA_BYTES, end - p);

      if (stop < end)
        stop = g_utf8_find_prev_char (p, stop + 1);
      if (stop <= p)
        stop = g_utf8_next_char (p);
      g_ptr_array_add (deltas, g_strndup (p, stop - p));
      p = stop;
    }
  return deltas;
}

static void
follow_end (GtkAdjustment *adjustment)
{
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) -
                                        gtk_adjustment_get_page_size (adjustment));
}

static void
make_window (Bench *bench)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();

  bench->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (bench->window), 1000, 720);
  bench->box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 0));
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (bench->box));
  gtk_window_set_child (GTK_WINDOW (bench->window), scroller);
  bench->adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  g_signal_connect (bench->adjustment, "notify::upper", G_CALLBACK (follow_end), NULL);
  gtk_window_present (GTK_WINDOW (bench->window));
  while (!gtk_widget_get_mapped (bench->window))
    bench_ui_iterate ();
  bench_ui_watch_frames (bench->window);
  bench_ui_wait_frames (2);
}

static ConfabMessageRow *
add_row (Bench         *bench,
         ConfabMessage *message)
{
  GtkWidget *row = confab_message_row_new ();

  gtk_box_append (bench->box, row);
  confab_message_row_set_message (CONFAB_MESSAGE_ROW (row), message);
  return CONFAB_MESSAGE_ROW (row);
}

/* Fails the benchmark if the row does not show the whole reply: a
 * figure for less work would be a lie. */
static void
check_rendered (Bench            *bench,
                ConfabMessageRow *row)
{
  GtkWidget *body = confab_message_row_get_body (row);

  g_assert (CONFAB_IS_MARKDOWN_VIEW (body));
  if (g_strcmp0 (confab_markdown_view_get_text (CONFAB_MARKDOWN_VIEW (body)), bench->document) != 0)
    g_error ("the row does not show the whole reply");
}

static void
remove_row (Bench            *bench,
            ConfabMessageRow *row)
{
  gtk_box_remove (bench->box, GTK_WIDGET (row));
  bench_ui_wait_frames (1);
}

static gint64
render_one_shot (Bench *bench)
{
  g_autoptr(ConfabMessage) message = confab_message_new (CONFAB_ROLE_ASSISTANT, bench->document);
  g_autoptr(BenchRecording) recording = NULL;
  ConfabMessageRow *row;

  confab_message_set_state (message, CONFAB_MESSAGE_COMPLETE);
  bench_ui_start ();
  row = add_row (bench, message);
  bench_ui_wait_frames (1);
  bench_ui_run_for (SETTLE_S);
  recording = bench_ui_stop ();
  check_rendered (bench, row);
  remove_row (bench, row);
  return recording->cpu_us;
}

static gboolean
all_sent (gpointer user_data)
{
  Bench *bench = user_data;

  return bench->next_delta == bench->deltas->len;
}

static void
send_delta (Bench *bench)
{
  confab_message_append_text (bench->message, g_ptr_array_index (bench->deltas, bench->next_delta++));
}

static gboolean
send_one_cb (gpointer user_data)
{
  Bench *bench = user_data;

  send_delta (bench);
  return all_sent (bench) ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

/* Sends what is due at bench->rate deltas a second since the start. */
static gboolean
send_paced_cb (gpointer user_data)
{
  Bench *bench = user_data;
  double elapsed_s = (g_get_monotonic_time () - bench->pace_start_us) / (double) G_USEC_PER_SEC;
  guint due = MIN ((guint) (elapsed_s * bench->rate) + 1, bench->deltas->len);

  while (bench->next_delta < due)
    send_delta (bench);
  return all_sent (bench) ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

/* @rate 0: as fast as the main loop takes them */
static BenchRecording *
render_streamed (Bench  *bench,
                 double  rate)
{
  g_autoptr(ConfabMessage) message = confab_message_new (CONFAB_ROLE_ASSISTANT, "");
  BenchRecording *recording;
  ConfabMessageRow *row;

  confab_message_set_state (message, CONFAB_MESSAGE_STREAMING);
  row = add_row (bench, message);
  bench_ui_wait_frames (1);

  bench->message = message;
  bench->next_delta = 0;
  bench->rate = rate;
  bench->pace_start_us = g_get_monotonic_time ();
  bench_ui_start ();
  if (rate > 0)
    g_timeout_add (1, send_paced_cb, bench);
  else
    g_idle_add (send_one_cb, bench);
  bench_ui_run_until (all_sent, bench, 600);
  confab_message_set_state (message, CONFAB_MESSAGE_COMPLETE);
  bench_ui_wait_frames (1);
  bench_ui_run_for (SETTLE_S);
  recording = bench_ui_stop ();
  bench->message = NULL;

  check_rendered (bench, row);
  remove_row (bench, row);
  return recording;
}

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static gint64
median (GArray *values)
{
  g_array_sort (values, compare_int64);
  return g_array_index (values, gint64, values->len / 2);
}

static double
ms (gint64 us)
{
  return us / 1000.0;
}

int
main (int    argc,
      char **argv)
{
  Bench bench = { 0 };
  gsize size = 100 * 1024;
  double rate = 500;
  guint runs = 3;
  g_autoptr(GArray) one_shot = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) streamed = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(BenchRecording) paced = NULL;
  guint streamed_frames = 0;

  for (int i = 1; i + 1 < argc; i += 2)
    {
      if (g_str_equal (argv[i], "--size"))
        size = strtoul (argv[i + 1], NULL, 10);
      else if (g_str_equal (argv[i], "--rate"))
        rate = g_ascii_strtod (argv[i + 1], NULL);
      else if (g_str_equal (argv[i], "--runs"))
        runs = MAX (1, strtoul (argv[i + 1], NULL, 10));
    }

  gtk_init ();
  bench_ui_init ();
  bench.document = bench_text_make_document (size);
  bench.deltas = split_deltas (bench.document);
  make_window (&bench);

  /* Fonts, style sheets and syntax definitions load once: not part of
   * either way of rendering. */
  render_one_shot (&bench);

  for (guint i = 0; i < runs; i++)
    {
      g_autoptr(BenchRecording) recording = NULL;
      gint64 cpu = render_one_shot (&bench);

      g_array_append_val (one_shot, cpu);
      recording = render_streamed (&bench, 0);
      g_array_append_val (streamed, recording->cpu_us);
      streamed_frames = recording->frames->len;
    }
  paced = render_streamed (&bench, rate);

  printf ("{\"bytes\": %zu, \"deltas\": %u, \"runs\": %u,\n"
          " \"one_shot_cpu_ms\": %.1f, \"streamed_cpu_ms\": %.1f, \"streamed_frames\": %u,\n"
          " \"paced_rate\": %.0f, \"paced_s\": %.2f, \"paced_cpu_ms\": %.1f, \"paced_frames\": %u,\n"
          " \"paced_max_iteration_ms\": %.2f, \"paced_p99_iteration_ms\": %.2f,"
          " \"paced_iterations_over_16ms\": %u, \"paced_max_busy_ms\": %.2f,\n"
          " \"paced_max_frame_ms\": %.2f, \"paced_p95_frame_ms\": %.2f, \"paced_max_gap_ms\": %.2f}\n",
          strlen (bench.document), bench.deltas->len, runs,
          ms (median (one_shot)), ms (median (streamed)), streamed_frames,
          rate, paced->wall_us / (double) G_USEC_PER_SEC, ms (paced->cpu_us), paced->frames->len,
          ms (bench_max (paced->iterations)), ms (bench_percentile (paced->iterations, 0.99)),
          bench_count_over (paced->iterations, 16000), ms (bench_max (paced->busy)),
          ms (bench_max (paced->frames)), ms (bench_percentile (paced->frames, 0.95)),
          ms (bench_max (paced->gaps)));

  gtk_window_destroy (GTK_WINDOW (bench.window));
  g_ptr_array_unref (bench.deltas);
  g_free (bench.document);
  return 0;
}
