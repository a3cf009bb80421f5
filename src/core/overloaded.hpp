#pragma once
// The visitor idiom for std::visit: Overloaded{[](A&) {...}, [](B&) {...}}.

namespace nc::detail {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
// Spelled out for compilers without class template argument deduction for aggregates.
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace nc::detail
