#pragma once
// Thin checked wrappers around the HDF5 C API: every handle closes itself, and every failed
// call throws IoError with what was being done and HDF5's own account of why.

#include <hdf5.h>

#include <string>
#include <utility>

#include "node_crunch/error.hpp"

namespace nc::hdf5::detail {

/// HDF5's error stack as one line ("H5Dwrite: ...; H5FD_sec2_write: No space left on device").
std::string error_stack();
/// Turns HDF5's automatic error printing off for this process (we report errors ourselves).
void silence_automatic_errors();

template <class T>
T check(T result, const std::string& what) {
  if (result < 0) throw IoError(what + " failed: " + error_stack());
  return result;
}

class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer, const std::string& what)
      : id_(check(id, what)), closer_(closer) {}
  Handle(Handle&& other) noexcept
      : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      closer_ = other.closer_;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }

  [[nodiscard]] hid_t get() const { return id_; }
  /// Closes now and reports failure (closing a file is where buffered writes hit the disk).
  void close(const std::string& what) {
    if (id_ == H5I_INVALID_HID) return;
    const herr_t status = closer_(std::exchange(id_, H5I_INVALID_HID));
    check(status, what);
  }

 private:
  void reset() {
    if (id_ != H5I_INVALID_HID) closer_(std::exchange(id_, H5I_INVALID_HID));
  }
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

}  // namespace nc::hdf5::detail
