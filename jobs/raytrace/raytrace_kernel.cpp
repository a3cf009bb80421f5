#include "raytrace_kernel.hpp"

#include <cmath>
#include <optional>

#include "pixel_random.hpp"
#include "vec3_math.hpp"

namespace raytrace {
namespace {

struct Ray {
  Vec3 origin;
  Vec3 direction;  // not necessarily of unit length
  [[nodiscard]] Vec3 at(double t) const { return origin + t * direction; }
};

struct Hit {
  double t = 0;
  Vec3 point;
  Vec3 normal;  // of unit length, against the ray
  bool entering = true;
  const Sphere* sphere = nullptr;
};

// Closer than this counts as the surface the ray just left (floating-point "acne").
constexpr double kMinDistance = 1e-4;
// Distance from the centre at which the floor's squares have faded out completely.
constexpr double kCheckerFade = 60.0;

bool hit_sphere(const Sphere& s, const Ray& ray, double t_max, Hit& hit) {
  const Vec3 oc = ray.origin - s.center;
  const double a = dot(ray.direction, ray.direction);
  const double half_b = dot(oc, ray.direction);
  const double c = dot(oc, oc) - s.radius * s.radius;
  const double discriminant = half_b * half_b - a * c;
  if (discriminant < 0) return false;
  const double root = std::sqrt(discriminant);
  double t = (-half_b - root) / a;
  if (t < kMinDistance || t > t_max) {
    t = (-half_b + root) / a;
    if (t < kMinDistance || t > t_max) return false;
  }
  hit.t = t;
  hit.point = ray.at(t);
  const Vec3 outward = (1.0 / s.radius) * (hit.point - s.center);
  hit.entering = dot(ray.direction, outward) < 0;
  hit.normal = hit.entering ? outward : -outward;
  hit.sphere = &s;
  return true;
}

std::optional<Hit> nearest_hit(const Scene& scene, const Ray& ray) {
  Hit hit;
  bool found = false;
  double t_max = INFINITY;
  for (const Sphere& s : scene.spheres) {
    if (hit_sphere(s, ray, t_max, hit)) {
      found = true;
      t_max = hit.t;
    }
  }
  return found ? std::optional<Hit>(hit) : std::nullopt;
}

// Rejection sampling: a variable number of random numbers, but no trigonometry.
Vec3 in_unit_ball(PixelRandom& random) {
  for (;;) {
    const Vec3 p{random.symmetric(), random.symmetric(), random.symmetric()};
    if (dot(p, p) < 1.0) return p;
  }
}
Vec3 unit_vector(PixelRandom& random) {
  for (;;) {
    const Vec3 p = in_unit_ball(random);
    const double norm2 = dot(p, p);
    if (norm2 > 1e-12) return (1.0 / std::sqrt(norm2)) * p;
  }
}
Vec3 in_unit_disk(PixelRandom& random) {
  for (;;) {
    const Vec3 p{random.symmetric(), random.symmetric(), 0};
    if (dot(p, p) < 1.0) return p;
  }
}

Vec3 reflect(Vec3 direction, Vec3 normal) {
  return direction - (2.0 * dot(direction, normal)) * normal;
}

// Snell's law for a unit `direction`; the caller has ruled out total internal reflection.
Vec3 refract(Vec3 direction, Vec3 normal, double ratio, double cos_in) {
  const Vec3 perpendicular = ratio * (direction + cos_in * normal);
  const double along = std::sqrt(std::fabs(1.0 - dot(perpendicular, perpendicular)));
  return perpendicular - along * normal;
}

// Schlick's approximation of the share of light a glass surface reflects.
double reflectance(double cosine, double ratio) {
  double r0 = (1 - ratio) / (1 + ratio);
  r0 = r0 * r0;
  const double m = 1 - cosine;
  return r0 + (1 - r0) * (m * m * m * m * m);
}

// Squares of side s.size; far from the centre they fade into their mean colour, so that the
// distant floor, where a pixel covers many squares, does not shimmer.
Vec3 checker_colour(const Sphere& s, Vec3 p) {
  const auto cell = static_cast<long long>(std::floor(p.x / s.size)) +
                    static_cast<long long>(std::floor(p.z / s.size));
  const Vec3 square = (cell % 2 == 0) ? s.colour : s.colour2;
  const Vec3 mean = 0.5 * (s.colour + s.colour2);
  const double distance2 = p.x * p.x + p.z * p.z;
  const double contrast = std::fmax(0.0, 1.0 - distance2 / (kCheckerFade * kCheckerFade));
  return mean + contrast * (square - mean);
}

Vec3 surface_colour(const Hit& hit) {
  const Sphere& s = *hit.sphere;
  return s.surface == Surface::checker ? checker_colour(s, hit.point) : s.colour;
}

struct Bounce {
  Ray ray;
  Vec3 filter;  // what the surface lets through
};

// Where the path goes next from `hit`, or nothing if the surface absorbed it.
std::optional<Bounce> scatter(const Ray& in, const Hit& hit, PixelRandom& random) {
  const Sphere& s = *hit.sphere;
  switch (s.surface) {
    case Surface::diffuse:
    case Surface::checker: {
      Vec3 direction = hit.normal + unit_vector(random);
      if (dot(direction, direction) < 1e-16) direction = hit.normal;
      return Bounce{{hit.point, direction}, surface_colour(hit)};
    }
    case Surface::mirror: {
      const Vec3 direction =
          reflect(normalize(in.direction), hit.normal) + s.fuzz * in_unit_ball(random);
      if (dot(direction, hit.normal) <= 0) return std::nullopt;
      return Bounce{{hit.point, direction}, s.colour};
    }
    case Surface::glass: {
      const double ratio = hit.entering ? 1.0 / s.ior : s.ior;
      const Vec3 unit = normalize(in.direction);
      const double cos_in = std::fmin(-dot(unit, hit.normal), 1.0);
      const double sin_in = std::sqrt(1.0 - cos_in * cos_in);
      const bool must_reflect = ratio * sin_in > 1.0;
      const Vec3 direction = (must_reflect || reflectance(cos_in, ratio) > random.uniform())
                                 ? reflect(unit, hit.normal)
                                 : refract(unit, hit.normal, ratio, cos_in);
      return Bounce{{hit.point, direction}, s.colour};
    }
  }
  return std::nullopt;
}

// The sky seen along `direction`: the horizon colour blending into the zenith colour, most of
// the change low in the sky (where the camera sees it), as in a real one.
Vec3 sky(const Light& light, Vec3 direction) {
  const double down = 1.0 - std::fmax(0.0, normalize(direction).y);
  const double haze = (down * down) * (down * down);
  return haze * light.horizon + (1.0 - haze) * light.zenith;
}

// How much sunlight reaches `point`: none behind an opaque ball; glass lets some through (a
// cheap stand-in for the light it would focus), so its shadow is lighter.
double sunlight_reaching(const Scene& scene, Vec3 point) {
  const Ray ray{point, scene.light.sun_direction};
  double share = 1.0;
  Hit hit;
  for (const Sphere& s : scene.spheres) {
    if (!hit_sphere(s, ray, INFINITY, hit)) continue;
    if (s.surface != Surface::glass) return 0.0;
    share *= 0.8;
  }
  return share;
}

// The light a diffuse surface of colour `colour` at `hit` sends back straight from the sun.
Vec3 direct_sun(const Scene& scene, const Hit& hit, Vec3 colour) {
  const double facing = dot(hit.normal, scene.light.sun_direction);
  if (facing <= 0) return {};
  const double share = sunlight_reaching(scene, hit.point);
  if (share == 0) return {};
  return (facing * share) * (colour * scene.light.sun);
}

Vec3 trace(const Scene& scene, Ray ray, PixelRandom& random) {
  Vec3 light;
  Vec3 throughput{1, 1, 1};
  for (std::uint32_t depth = 0; depth < scene.max_depth; ++depth) {
    const auto hit = nearest_hit(scene, ray);
    if (!hit) return light + throughput * sky(scene.light, ray.direction);
    const Surface surface = hit->sphere->surface;
    if (surface == Surface::diffuse || surface == Surface::checker)
      light = light + throughput * direct_sun(scene, *hit, surface_colour(*hit));
    const auto bounce = scatter(ray, *hit, random);
    if (!bounce) return light;
    throughput = throughput * bounce->filter;
    ray = bounce->ray;
  }
  return light;  // too many bounces: nothing more comes back
}

Ray camera_ray(const Camera& c, double s, double t, PixelRandom& random) {
  const Vec3 disk = c.lens_radius * in_unit_disk(random);
  const Vec3 offset = disk.x * c.u + disk.y * c.v;
  const Vec3 origin = c.origin + offset;
  return {origin, c.corner + s * c.horizontal + t * c.vertical - origin};
}

}  // namespace

Vec3 render_pixel(const Scene& scene, std::uint64_t x, std::uint64_t y) {
  Vec3 sum;
  for (std::uint32_t sample = 0; sample < scene.samples; ++sample) {
    PixelRandom random(x, y, sample);
    const double s = (static_cast<double>(x) + random.uniform()) / static_cast<double>(scene.width);
    const double t = (static_cast<double>(scene.height - 1 - y) + random.uniform()) /
                     static_cast<double>(scene.height);
    sum = sum + trace(scene, camera_ray(scene.camera, s, t, random), random);
  }
  return (1.0 / static_cast<double>(scene.samples)) * sum;
}

std::vector<float> render(const Scene& scene, const nc::ChunkRect& rect) {
  std::vector<float> rgb;
  rgb.reserve(rect.area() * 3);
  for (std::uint64_t y = rect.y; y < rect.y + rect.height; ++y) {
    for (std::uint64_t x = rect.x; x < rect.x + rect.width; ++x) {
      const Vec3 c = render_pixel(scene, x, y);
      rgb.insert(rgb.end(),
                 {static_cast<float>(c.x), static_cast<float>(c.y), static_cast<float>(c.z)});
    }
  }
  return rgb;
}

}  // namespace raytrace
