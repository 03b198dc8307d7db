/* bench-ui.c: what the desktop-app benchmarks measure in their own process
 *
 * The benchmark programs drive the main loop themselves, one
 * g_main_context_iteration() at a time, and take the main thread's CPU
 * time of each: work during which it could not answer the user. That
 * does not count the time other programs on a busy machine took the CPU
 * away; the wall-clock time of each iteration, less the time its poll
 * waited (a poll function times that), is kept beside it. The frame
 * clock of the watched window gives the frames: how long each took from
 * before-paint to after-paint, and how far apart they started.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench-ui.h"

typedef struct
{
  gint64 cpu_start_us;
  gint64 wall_start_us;
} Start;

static GPollFunc       default_poll;
static gint64          polled_us;
static BenchRecording *current;
static Start           current_start;
static GtkWidget      *watched;
static guint           n_frames;
static gint64          frame_start_us;
static gint64          last_frame_start_us;

static gint
timed_poll (GPollFD *fds,
            guint    n_fds,
            gint     timeout)
{
  gint64 start = g_get_monotonic_time ();
  gint result = default_poll (fds, n_fds, timeout);

  polled_us += g_get_monotonic_time () - start;
  return result;
}

void
bench_ui_init (void)
{
  default_poll = g_main_context_get_poll_func (NULL);
  g_main_context_set_poll_func (NULL, timed_poll);
}

static void
append (GArray *samples,
        gint64  value)
{
  g_array_append_val (samples, value);
}

static void
on_before_paint (GdkFrameClock *clock)
{
  frame_start_us = g_get_monotonic_time ();
  if (current != NULL && last_frame_start_us != 0)
    append (current->gaps, frame_start_us - last_frame_start_us);
  last_frame_start_us = frame_start_us;
}

static void
on_after_paint (GdkFrameClock *clock)
{
  n_frames++;
  if (current != NULL && frame_start_us != 0)
    append (current->frames, g_get_monotonic_time () - frame_start_us);
}

/* @widget must be realized: its frame clock is the window's. */
void
bench_ui_watch_frames (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);

  g_assert (clock != NULL);
  watched = widget;
  g_signal_connect (clock, "before-paint", G_CALLBACK (on_before_paint), NULL);
  g_signal_connect_after (clock, "after-paint", G_CALLBACK (on_after_paint), NULL);
}

void
bench_ui_iterate (void)
{
  gint64 start = g_get_monotonic_time ();
  gint64 cpu_start = bench_thread_cpu_us ();

  polled_us = 0;
  g_main_context_iteration (NULL, TRUE);
  if (current == NULL)
    return;
  append (current->iterations, bench_thread_cpu_us () - cpu_start);
  append (current->busy, g_get_monotonic_time () - start - polled_us);
  /* CONFAB_BENCH_LONG_ITERATIONS=1: the monotonic times of iterations
   * over 16 ms of CPU on stderr, to look them up in a profile (perf
   * record -k CLOCK_MONOTONIC). */
  if (bench_thread_cpu_us () - cpu_start > 16000 && g_getenv ("CONFAB_BENCH_LONG_ITERATIONS"))
    g_printerr ("long iteration: %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n",
                start, g_get_monotonic_time ());
}

static gboolean
wake_up_cb (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

/* Returns: whether @done said so before the timeout */
gboolean
bench_ui_run_until (BenchDoneFunc done,
                    gpointer      user_data,
                    double        timeout_s)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add ((guint) (timeout_s * 1000), wake_up_cb, &expired);

  while (!done (user_data))
    {
      if (expired)
        return FALSE;
      bench_ui_iterate ();
    }
  if (!expired)
    g_source_remove (id);
  return TRUE;
}

static gboolean
never (gpointer user_data)
{
  return FALSE;
}

void
bench_ui_run_for (double seconds)
{
  bench_ui_run_until (never, NULL, seconds);
}

static gboolean
set_flag_cb (gpointer user_data)
{
  gboolean *flag = user_data;

  *flag = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
flag_set (gpointer user_data)
{
  return *(gboolean *) user_data;
}

/* Runs what the main loop has queued, idle callbacks included, down to
 * G_PRIORITY_LOW. */
void
bench_ui_run_pending (void)
{
  gboolean done = FALSE;

  g_idle_add_full (G_PRIORITY_LOW + 1, set_flag_cb, &done, NULL);
  if (!bench_ui_run_until (flag_set, &done, 60))
    g_error ("the main loop was busy for a minute");
}

guint
bench_ui_get_n_frames (void)
{
  return n_frames;
}

static gboolean
frames_reached (gpointer user_data)
{
  guint *target = user_data;

  return n_frames >= *target;
}

/* Draws @n frames more of the watched window. */
void
bench_ui_wait_frames (guint n)
{
  g_assert (watched != NULL);
  for (guint i = 0; i < n; i++)
    {
      guint target = n_frames + 1;

      gtk_widget_queue_draw (watched);
      if (!bench_ui_run_until (frames_reached, &target, 10))
        g_error ("no frame drawn in 10 s");
    }
}

void
bench_ui_start (void)
{
  g_assert (current == NULL);
  current = g_new0 (BenchRecording, 1);
  current->iterations = g_array_new (FALSE, FALSE, sizeof (gint64));
  current->busy = g_array_new (FALSE, FALSE, sizeof (gint64));
  current->frames = g_array_new (FALSE, FALSE, sizeof (gint64));
  current->gaps = g_array_new (FALSE, FALSE, sizeof (gint64));
  last_frame_start_us = 0;
  current_start.cpu_start_us = bench_thread_cpu_us ();
  current_start.wall_start_us = g_get_monotonic_time ();
}

BenchRecording *
bench_ui_stop (void)
{
  BenchRecording *recording = g_steal_pointer (&current);

  g_assert (recording != NULL);
  recording->cpu_us = bench_thread_cpu_us () - current_start.cpu_start_us;
  recording->wall_us = g_get_monotonic_time () - current_start.wall_start_us;
  return recording;
}

void
bench_recording_free (BenchRecording *recording)
{
  g_array_unref (recording->iterations);
  g_array_unref (recording->busy);
  g_array_unref (recording->frames);
  g_array_unref (recording->gaps);
  g_free (recording);
}

gint64
bench_max (GArray *samples)
{
  gint64 max = 0;

  for (guint i = 0; i < samples->len; i++)
    max = MAX (max, g_array_index (samples, gint64, i));
  return max;
}

static int
compare_samples (gconstpointer a,
                 gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* The nearest-rank percentile; 0 without samples. */
gint64
bench_percentile (GArray *samples,
                  double  fraction)
{
  g_autoptr(GArray) sorted = NULL;
  guint rank;

  if (samples->len == 0)
    return 0;
  sorted = g_array_copy (samples);
  g_array_sort (sorted, compare_samples);
  rank = (guint) (fraction * sorted->len);
  return g_array_index (sorted, gint64, MIN (rank, sorted->len - 1));
}

guint
bench_count_over (GArray *samples,
                  gint64  limit)
{
  guint n = 0;

  for (guint i = 0; i < samples->len; i++)
    n += g_array_index (samples, gint64, i) > limit;
  return n;
}

gint64
bench_thread_cpu_us (void)
{
  struct timespec now;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now);
  return (gint64) now.tv_sec * G_USEC_PER_SEC + now.tv_nsec / 1000;
}

/* A field of /proc/self/status in KiB (VmRSS, VmHWM…); -1 when missing. */
gint64
bench_status_kib (const char *field)
{
  g_autofree char *contents = NULL;
  g_autofree char *key = g_strconcat ("\n", field, ":", NULL);
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &contents, NULL, NULL) ||
      (line = strstr (contents, key)) == NULL)
    return -1;
  return g_ascii_strtoll (line + strlen (key), NULL, 10);
}

/* Resident memory once the main loop has had a second to finish what it
 * was doing, as bench-first-frame measures programs from outside. */
gint64
bench_settled_rss_kib (void)
{
  bench_ui_run_for (1.0);
  return bench_status_kib ("VmRSS");
}
