/* bench-ui.h: what the desktop-app benchmarks measure in their own process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* What happened on the main thread between bench_ui_start() and
 * bench_ui_stop(). Times in microseconds. */
typedef struct
{
  gint64  cpu_us;       /* CPU time of the main thread */
  gint64  wall_us;
  GArray *iterations;   /* gint64: main-thread CPU time of each main-loop iteration */
  GArray *busy;         /* gint64: the same in wall-clock time, less the time it waited */
  GArray *frames;       /* gint64: each frame, from before-paint to after-paint */
  GArray *gaps;         /* gint64: from one frame's start to the next one's */
} BenchRecording;

typedef gboolean (*BenchDoneFunc) (gpointer user_data);

void             bench_ui_init              (void);
void             bench_ui_watch_frames      (GtkWidget      *widget);
void             bench_ui_iterate           (void);
gboolean         bench_ui_run_until         (BenchDoneFunc   done,
                                             gpointer        user_data,
                                             double          timeout_s);
void             bench_ui_run_for           (double          seconds);
void             bench_ui_run_pending       (void);
void             bench_ui_wait_frames       (guint           n);
guint            bench_ui_get_n_frames      (void);
void             bench_ui_start             (void);
BenchRecording  *bench_ui_stop              (void);
void             bench_recording_free       (BenchRecording *recording);

gint64           bench_max                  (GArray         *samples);
gint64           bench_percentile           (GArray         *samples,
                                             double          fraction);
guint            bench_count_over           (GArray         *samples,
                                             gint64          limit);
gint64           bench_thread_cpu_us        (void);
gint64           bench_status_kib           (const char     *field);
gint64           bench_settled_rss_kib      (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchRecording, bench_recording_free)

G_END_DECLS
