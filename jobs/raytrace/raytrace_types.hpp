#pragma once
// What travels between the ray-tracing server and its nodes: the scene once, then bands of
// rows out and their colours back.

#include <node_crunch/array2d_chunk.hpp>
#include <node_crunch/error.hpp>
#include <node_crunch/ids.hpp>

#include <boost/serialization/vector.hpp>
#include <cstdint>
#include <vector>

namespace raytrace {

struct Vec3 {
  double x = 0, y = 0, z = 0;

  template <class Archive>
  void serialize(Archive& ar, const unsigned /*version*/) {
    ar& x& y& z;
  }
};

/// How light leaves a surface.
enum class Surface : std::uint8_t {
  diffuse,  ///< scatters in all directions (Lambert), tinted by `colour`
  checker,  ///< diffuse, in squares of `colour` and `colour2` of side `size` on the x-z plane
  mirror,   ///< reflects, tinted by `colour`, blurred by `fuzz` (0: a perfect mirror)
  glass,    ///< refracts or reflects (Fresnel), with refractive index `ior`
};

/// A sphere; a negative radius turns its normals inwards (the inside of a hollow glass ball).
struct Sphere {
  Vec3 center;
  double radius = 1;
  Surface surface = Surface::diffuse;
  Vec3 colour{0.5, 0.5, 0.5};
  Vec3 colour2{0, 0, 0};
  double size = 1;   // checker squares
  double fuzz = 0;   // mirror
  double ior = 1.5;  // glass

  template <class Archive>
  void serialize(Archive& ar, const unsigned /*version*/) {
    auto kind = static_cast<std::uint8_t>(surface);
    ar& center& radius& kind& colour& colour2& size& fuzz& ior;
    if (kind > static_cast<std::uint8_t>(Surface::glass)) throw nc::Error("unknown surface kind");
    surface = static_cast<Surface>(kind);
  }
};

/// A thin-lens camera, ready to use: the ray through image point (s, t) in [0,1]^2 (s to the
/// right, t upwards) starts at origin + lens offset and points at corner + s*horizontal +
/// t*vertical. The server works it out (angles and all) once, so nodes need no trigonometry.
struct Camera {
  Vec3 origin, corner, horizontal, vertical;
  Vec3 u, v;  // the lens plane's axes (unit vectors)
  double lens_radius = 0;

  template <class Archive>
  void serialize(Archive& ar, const unsigned /*version*/) {
    ar& origin& corner& horizontal& vertical& u& v& lens_radius;
  }
};

/// The light: a sky (a gradient from the horizon to the zenith) and a sun, a light from one
/// direction that diffuse surfaces sample directly, so its shadows are sharp and not noisy.
struct Light {
  Vec3 horizon{1, 1, 1};
  Vec3 zenith{0.5, 0.7, 1.0};
  Vec3 sun_direction{0, 1, 0};  // towards the sun, unit length
  Vec3 sun{0, 0, 0};            // what a surface facing the sun receives, divided by pi

  template <class Archive>
  void serialize(Archive& ar, const unsigned /*version*/) {
    ar& horizon& zenith& sun_direction& sun;
  }
};

/// Everything a node needs to render any pixel: sent once to every node.
struct Scene {
  std::uint64_t width = 0;
  std::uint64_t height = 0;
  std::uint32_t samples = 1;    // per pixel
  std::uint32_t max_depth = 1;  // bounces before a path counts as black
  Camera camera;
  Light light;
  std::vector<Sphere> spheres;

  template <class Archive>
  void serialize(Archive& ar, const unsigned /*version*/) {
    ar& width& height& samples& max_depth& camera& light& spheres;
  }
};

/// One chunk to render: a band of rows.
struct Band {
  nc::ChunkID chunk;
  nc::ChunkRect rect;

  template <class Archive>
  void serialize(Archive& ar, const unsigned /*version*/) {
    ar& chunk& rect;
  }
};

/// A rendered band: linear RGB (the mean over the samples), 3 floats per pixel, row by row.
struct Pixels {
  nc::ChunkID chunk;
  std::vector<float> rgb;

  template <class Archive>
  void serialize(Archive& ar, const unsigned /*version*/) {
    ar& chunk& rgb;
  }
};

struct Types {
  using InitialData = Scene;
  using Task = Band;
  using Result = Pixels;
};

}  // namespace raytrace
