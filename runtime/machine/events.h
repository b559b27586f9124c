/* The event queue: callbacks ordered by (virtual time, scheduling order). */
#ifndef QVP_EVENTS_H
#define QVP_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Called with the time the event was scheduled for, which is never later than the loop's now. */
typedef void (*event_fire_fn)(void *opaque, vtime_t time);

/* Owned by whoever schedules it (usually embedded in a model); the queue only links to it. */
struct event {
	const char *name;
	event_fire_fn fire;
	void *opaque;
	vtime_t time;
	uint64_t sequence;
	size_t heap_index; /* position in the queue; EVENT_NOT_QUEUED when idle */
};

#define EVENT_NOT_QUEUED ((size_t)-1)

struct event_queue;

struct event_queue *event_queue_create(void);
void event_queue_destroy(struct event_queue *queue);

void event_init(struct event *event, const char *name, event_fire_fn fire, void *opaque);

/* Schedules at `time`; an event already queued is moved (and ordered as newly scheduled). */
int event_schedule(struct event_queue *queue, struct event *event, vtime_t time);
void event_cancel(struct event_queue *queue, struct event *event);

/* Snapshots: queues `event` at `time` with the sequence number it had when saved, and the
 * number the next scheduled event takes, so same-time events fire in the saved order. */
int event_restore(struct event_queue *queue, struct event *event, vtime_t time, uint64_t sequence);
uint64_t event_queue_sequence(const struct event_queue *queue);
void event_queue_set_sequence(struct event_queue *queue, uint64_t sequence);
bool event_is_queued(const struct event *event);

/* Time of the earliest queued event, or VTIME_NEVER. */
vtime_t event_queue_next_time(const struct event_queue *queue);
size_t event_queue_length(const struct event_queue *queue);

/* Fires, in order, every event due at or before `now`, including ones scheduled while firing. */
size_t event_queue_fire_due(struct event_queue *queue, vtime_t now);

#ifdef __cplusplus
}
#endif
#endif
