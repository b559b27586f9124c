// The event queue decides the order of everything that happens in virtual time.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "events.h"

namespace {

struct Recorder {
	std::vector<std::string> fired;
	std::vector<vtime_t> times;
};

struct NamedEvent {
	struct event event;
	Recorder *recorder;
	std::string name;
};

void record(void *opaque, vtime_t time)
{
	auto *named = static_cast<NamedEvent *>(opaque);
	named->recorder->fired.push_back(named->name);
	named->recorder->times.push_back(time);
}

class EventQueueTest : public ::testing::Test {
protected:
	void SetUp() override { queue = event_queue_create(); }
	void TearDown() override { event_queue_destroy(queue); }

	NamedEvent *make(const std::string &name)
	{
		events.push_back(std::make_unique<NamedEvent>());
		NamedEvent *named = events.back().get();
		named->recorder = &recorder;
		named->name = name;
		event_init(&named->event, named->name.c_str(), record, named);
		return named;
	}

	struct event_queue *queue = nullptr;
	Recorder recorder;
	std::vector<std::unique_ptr<NamedEvent>> events;
};

TEST_F(EventQueueTest, FiresInTimeOrder)
{
	ASSERT_EQ(event_schedule(queue, &make("late")->event, 300), 0);
	ASSERT_EQ(event_schedule(queue, &make("early")->event, 100), 0);
	ASSERT_EQ(event_schedule(queue, &make("middle")->event, 200), 0);
	EXPECT_EQ(event_queue_next_time(queue), 100u);
	EXPECT_EQ(event_queue_fire_due(queue, 1000), 3u);
	EXPECT_EQ(recorder.fired, (std::vector<std::string>{ "early", "middle", "late" }));
	EXPECT_EQ(recorder.times, (std::vector<vtime_t>{ 100, 200, 300 }));
}

TEST_F(EventQueueTest, TiesFireInSchedulingOrder)
{
	for (int i = 0; i < 20; i++)
		ASSERT_EQ(event_schedule(queue, &make("e" + std::to_string(i))->event, 500), 0);
	event_queue_fire_due(queue, 500);
	ASSERT_EQ(recorder.fired.size(), 20u);
	for (int i = 0; i < 20; i++)
		EXPECT_EQ(recorder.fired[i], "e" + std::to_string(i));
}

TEST_F(EventQueueTest, OnlyDueEventsFire)
{
	NamedEvent *soon = make("soon"), *later = make("later");
	event_schedule(queue, &soon->event, 10);
	event_schedule(queue, &later->event, 11);
	EXPECT_EQ(event_queue_fire_due(queue, 10), 1u);
	EXPECT_FALSE(event_is_queued(&soon->event));
	EXPECT_TRUE(event_is_queued(&later->event));
	EXPECT_EQ(event_queue_next_time(queue), 11u);
}

TEST_F(EventQueueTest, CancelledEventNeverFires)
{
	NamedEvent *a = make("a"), *b = make("b"), *c = make("c");
	event_schedule(queue, &a->event, 1);
	event_schedule(queue, &b->event, 2);
	event_schedule(queue, &c->event, 3);
	event_cancel(queue, &b->event);
	event_cancel(queue, &b->event); // cancelling twice is harmless
	EXPECT_FALSE(event_is_queued(&b->event));
	EXPECT_EQ(event_queue_length(queue), 2u);
	event_queue_fire_due(queue, 10);
	EXPECT_EQ(recorder.fired, (std::vector<std::string>{ "a", "c" }));
}

TEST_F(EventQueueTest, RescheduleMovesAndOrdersAsNew)
{
	NamedEvent *a = make("a"), *b = make("b");
	event_schedule(queue, &a->event, 50);
	event_schedule(queue, &b->event, 50);
	event_schedule(queue, &a->event, 50); // same time again: now after b
	EXPECT_EQ(event_queue_length(queue), 2u);
	event_queue_fire_due(queue, 50);
	EXPECT_EQ(recorder.fired, (std::vector<std::string>{ "b", "a" }));

	recorder.fired.clear();
	event_schedule(queue, &a->event, 100);
	event_schedule(queue, &a->event, 20); // earlier
	EXPECT_EQ(event_queue_next_time(queue), 20u);
	EXPECT_EQ(event_queue_fire_due(queue, 1000), 1u);
}

TEST_F(EventQueueTest, EmptyQueueHasNoNextTime)
{
	EXPECT_EQ(event_queue_next_time(queue), VTIME_NEVER);
	EXPECT_EQ(event_queue_fire_due(queue, VTIME_NEVER - 1), 0u);
}

struct Chain {
	struct event event;
	struct event_queue *queue;
	int remaining;
	std::vector<vtime_t> times;
};

void chain_fire(void *opaque, vtime_t time)
{
	auto *chain = static_cast<Chain *>(opaque);
	chain->times.push_back(time);
	if (--chain->remaining > 0)
		event_schedule(chain->queue, &chain->event, time + 10);
}

TEST_F(EventQueueTest, EventScheduledWhileFiringFiresIfDue)
{
	Chain chain{};
	chain.queue = queue;
	chain.remaining = 5;
	event_init(&chain.event, "chain", chain_fire, &chain);
	event_schedule(queue, &chain.event, 0);
	EXPECT_EQ(event_queue_fire_due(queue, 25), 3u); // 0, 10, 20
	EXPECT_EQ(chain.times, (std::vector<vtime_t>{ 0, 10, 20 }));
	EXPECT_EQ(event_queue_next_time(queue), 30u);
}

TEST_F(EventQueueTest, ManyEventsComeOutSortedAndStable)
{
	uint64_t seed = 12345;
	const int count = 2000;
	for (int i = 0; i < count; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		NamedEvent *named = make(std::to_string(i));
		ASSERT_EQ(event_schedule(queue, &named->event, (seed >> 33) % 100), 0);
		if (i % 7 == 3)
			event_cancel(queue, &named->event);
	}
	event_queue_fire_due(queue, 100);
	ASSERT_FALSE(recorder.fired.empty());
	for (size_t i = 1; i < recorder.times.size(); i++) {
		ASSERT_LE(recorder.times[i - 1], recorder.times[i]);
		if (recorder.times[i - 1] == recorder.times[i]) { // same time: scheduling order
			ASSERT_LT(std::stoi(recorder.fired[i - 1]), std::stoi(recorder.fired[i]));
		}
	}
	EXPECT_EQ(recorder.fired.size(), size_t(count - (count + 3) / 7));
}

} // namespace
