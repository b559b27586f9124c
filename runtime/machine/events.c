/* A binary min-heap of caller-owned events, keyed by (time, sequence). */
#include "events.h"

#include <stdlib.h>

#include "error.h"

struct event_queue {
	struct event **heap;
	size_t length;
	size_t capacity;
	uint64_t next_sequence;
};

struct event_queue *event_queue_create(void)
{
	return calloc(1, sizeof(struct event_queue));
}

void event_queue_destroy(struct event_queue *queue)
{
	if (!queue)
		return;
	for (size_t i = 0; i < queue->length; i++)
		queue->heap[i]->heap_index = EVENT_NOT_QUEUED;
	free(queue->heap);
	free(queue);
}

void event_init(struct event *event, const char *name, event_fire_fn fire, void *opaque)
{
	event->name = name;
	event->fire = fire;
	event->opaque = opaque;
	event->time = VTIME_NEVER;
	event->sequence = 0;
	event->heap_index = EVENT_NOT_QUEUED;
}

bool event_is_queued(const struct event *event)
{
	return event->heap_index != EVENT_NOT_QUEUED;
}

static bool event_before(const struct event *a, const struct event *b)
{
	if (a->time != b->time)
		return a->time < b->time;
	return a->sequence < b->sequence;
}

static void heap_place(struct event_queue *queue, size_t index, struct event *event)
{
	queue->heap[index] = event;
	event->heap_index = index;
}

static void heap_sift_up(struct event_queue *queue, size_t index)
{
	struct event *event = queue->heap[index];

	while (index > 0) {
		size_t parent = (index - 1) / 2;
		if (!event_before(event, queue->heap[parent]))
			break;
		heap_place(queue, index, queue->heap[parent]);
		index = parent;
	}
	heap_place(queue, index, event);
}

static void heap_sift_down(struct event_queue *queue, size_t index)
{
	struct event *event = queue->heap[index];

	for (;;) {
		size_t child = 2 * index + 1;
		if (child >= queue->length)
			break;
		if (child + 1 < queue->length && event_before(queue->heap[child + 1], queue->heap[child]))
			child++;
		if (!event_before(queue->heap[child], event))
			break;
		heap_place(queue, index, queue->heap[child]);
		index = child;
	}
	heap_place(queue, index, event);
}

static void heap_remove(struct event_queue *queue, size_t index)
{
	struct event *last = queue->heap[--queue->length];

	queue->heap[index]->heap_index = EVENT_NOT_QUEUED;
	if (index == queue->length)
		return;
	heap_place(queue, index, last);
	heap_sift_up(queue, index);
	heap_sift_down(queue, last->heap_index);
}

static int heap_reserve(struct event_queue *queue)
{
	size_t capacity = queue->capacity ? queue->capacity * 2 : 16;
	struct event **heap;

	if (queue->length < queue->capacity)
		return 0;
	heap = realloc(queue->heap, capacity * sizeof(*heap));
	if (!heap)
		return error_set("out of memory growing the event queue to %zu events", capacity);
	queue->heap = heap;
	queue->capacity = capacity;
	return 0;
}

int event_restore(struct event_queue *queue, struct event *event, vtime_t time, uint64_t sequence)
{
	if (event_is_queued(event))
		heap_remove(queue, event->heap_index);
	if (heap_reserve(queue) < 0)
		return -1;
	event->time = time;
	event->sequence = sequence;
	heap_place(queue, queue->length++, event);
	heap_sift_up(queue, event->heap_index);
	return 0;
}

int event_schedule(struct event_queue *queue, struct event *event, vtime_t time)
{
	return event_restore(queue, event, time, queue->next_sequence++);
}

uint64_t event_queue_sequence(const struct event_queue *queue)
{
	return queue->next_sequence;
}

void event_queue_set_sequence(struct event_queue *queue, uint64_t sequence)
{
	queue->next_sequence = sequence;
}

void event_cancel(struct event_queue *queue, struct event *event)
{
	if (event_is_queued(event))
		heap_remove(queue, event->heap_index);
}

vtime_t event_queue_next_time(const struct event_queue *queue)
{
	return queue->length ? queue->heap[0]->time : VTIME_NEVER;
}

size_t event_queue_length(const struct event_queue *queue)
{
	return queue->length;
}

size_t event_queue_fire_due(struct event_queue *queue, vtime_t now)
{
	size_t fired = 0;

	while (queue->length && queue->heap[0]->time <= now) {
		struct event *event = queue->heap[0];
		heap_remove(queue, 0);
		event->fire(event->opaque, event->time);
		fired++;
	}
	return fired;
}
