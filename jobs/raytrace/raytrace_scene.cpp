#include "raytrace_scene.hpp"

#include <array>
#include <cmath>
#include <numbers>

#include "vec3_math.hpp"

namespace raytrace {
namespace {

// The camera's geometry; the trigonometry happens here, once, on the server.
Camera look_at(Vec3 from, Vec3 at, double vertical_degrees, double aspect, double aperture) {
  const double half_height = std::tan(vertical_degrees * std::numbers::pi / 360.0);
  const double half_width = aspect * half_height;
  const Vec3 w = normalize(from - at);
  const Vec3 u = normalize(cross(Vec3{0, 1, 0}, w));
  const Vec3 v = cross(w, u);
  const double focus = length(from - at);
  Camera c;
  c.origin = from;
  c.horizontal = (2.0 * half_width * focus) * u;
  c.vertical = (2.0 * half_height * focus) * v;
  c.corner = from - (half_width * focus) * u - (half_height * focus) * v - focus * w;
  c.u = u;
  c.v = v;
  c.lens_radius = aperture / 2.0;
  return c;
}

Sphere diffuse(Vec3 center, double radius, Vec3 colour) {
  return Sphere{.center = center, .radius = radius, .surface = Surface::diffuse, .colour = colour};
}
Sphere mirror(Vec3 center, double radius, Vec3 colour, double fuzz) {
  return Sphere{.center = center,
                .radius = radius,
                .surface = Surface::mirror,
                .colour = colour,
                .fuzz = fuzz};
}
Sphere glass(Vec3 center, double radius) {
  return Sphere{.center = center,
                .radius = radius,
                .surface = Surface::glass,
                .colour = {1, 1, 1},
                .ior = 1.5};
}

// Small balls resting on the floor along an arc around the centre: colours from a palette,
// surfaces in turn, sizes in a fixed pattern, so the scene is the same on every run.
void add_ring(std::vector<Sphere>& spheres, double arc_radius, double from_degrees,
              double to_degrees, int count, int offset) {
  static constexpr std::array<Vec3, 6> palette{{{0.10, 0.55, 0.60},
                                                {0.90, 0.68, 0.15},
                                                {0.55, 0.20, 0.50},
                                                {0.30, 0.60, 0.20},
                                                {0.95, 0.45, 0.35},
                                                {0.30, 0.45, 0.90}}};
  static constexpr std::array<double, 4> radii{0.30, 0.38, 0.26, 0.34};
  for (int i = 0; i < count; ++i) {
    const int k = i + offset;
    const double angle =
        (from_degrees + (to_degrees - from_degrees) * i / (count - 1)) * std::numbers::pi / 180.0;
    const double r = radii[static_cast<std::size_t>(k) % radii.size()];
    const Vec3 center{arc_radius * std::sin(angle), r, arc_radius * std::cos(angle)};
    const Vec3 colour = palette[static_cast<std::size_t>(k) % palette.size()];
    switch (k % 5) {
      case 1:
        spheres.push_back(mirror(center, r, 0.5 * (colour + Vec3{1, 1, 1}), 0.15));
        break;
      case 3:
        spheres.push_back(glass(center, r));
        break;
      default:
        spheres.push_back(diffuse(center, r, colour));
    }
  }
}

}  // namespace

Scene make_scene(const Options& options) {
  Scene scene;
  scene.width = options.width;
  scene.height = options.height;
  scene.samples = options.samples;
  scene.max_depth = options.max_depth;
  const double aspect = static_cast<double>(options.width) / static_cast<double>(options.height);
  scene.camera = look_at({0.0, 2.6, 10.0}, {0.0, 0.8, 0.0}, 30.0, aspect, 0.1);
  scene.light.horizon = {0.85, 0.70, 0.58};
  scene.light.zenith = {0.12, 0.24, 0.58};
  scene.light.sun_direction = normalize(Vec3{-0.75, 0.42, 0.30});
  scene.light.sun = {1.25, 0.90, 0.55};

  auto& s = scene.spheres;
  s.push_back(Sphere{.center = {0, -1000, 0},
                     .radius = 1000,
                     .surface = Surface::checker,
                     .colour = {0.80, 0.78, 0.72},
                     .colour2 = {0.20, 0.26, 0.32},
                     .size = 1.2});
  s.push_back(diffuse({-2.25, 1, 0}, 1, {0.78, 0.26, 0.16}));
  s.push_back(glass({0, 1, 0}, 1));
  s.push_back(glass({0, 1, 0}, -0.9));  // hollow: a bubble of air inside the glass
  s.push_back(mirror({2.25, 1, 0}, 1, {0.88, 0.88, 0.92}, 0.0));
  add_ring(s, 3.5, -54, 54, 6, 0);
  add_ring(s, 5.2, 135, 225, 7, 2);
  return scene;
}

}  // namespace raytrace
