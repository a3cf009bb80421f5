#pragma once
// Fans the engine's events out to every observer (log, progress, statistics, user's own).

#include <vector>

#include "node_crunch/observer.hpp"

namespace nc::detail {

class EventHub final : public Observer {
 public:
  void add(Observer& observer) { observers_.push_back(&observer); }

  void on_job_started(std::string_view job) override {
    for (auto* o : observers_)
      o->on_job_started(job);
  }
  void on_node_joined(const NodeInfo& node, bool rejoined) override {
    for (auto* o : observers_)
      o->on_node_joined(node, rejoined);
  }
  void on_node_lost(const NodeInfo& node, std::string_view reason) override {
    for (auto* o : observers_)
      o->on_node_lost(node, reason);
  }
  void on_task_sent(NodeID node, AttemptID attempt, std::optional<ChunkID> chunk) override {
    for (auto* o : observers_)
      o->on_task_sent(node, attempt, chunk);
  }
  void on_result(NodeID node, AttemptID attempt, std::optional<ChunkID> chunk) override {
    for (auto* o : observers_)
      o->on_result(node, attempt, chunk);
  }
  void on_chunks_failed(const std::vector<ChunkID>& chunks) override {
    for (auto* o : observers_)
      o->on_chunks_failed(chunks);
  }
  void on_progress(const JobProgress& progress) override {
    for (auto* o : observers_)
      o->on_progress(progress);
  }
  void on_job_finished(const JobSummary& summary) override {
    for (auto* o : observers_)
      o->on_job_finished(summary);
  }

 private:
  std::vector<Observer*> observers_;
};

}  // namespace nc::detail
