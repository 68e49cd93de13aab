// Linear tetrahedron method on a regular grid (phonopy/phono3py
// tetrahedron_method.c): each grid point is the common vertex of 24
// tetrahedra of the microzone parallelepipeds around it, cut along the
// shortest main diagonal. The weight of that central vertex for
// delta(omega - e(q)) follows Bloechl, Jepsen, Andersen, PRB 49, 16223 (1994)
// (linear interpolation inside each tetrahedron, no Bloechl correction).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace ph3mpi::interaction {

// The 24 tetrahedra around a grid point are grid::tetrahedra_relative_grid_address
// (grid/tetrahedron_grid.hpp); vertex 0 of each is the grid point itself.

// Vertex energies of the tetrahedra around a grid point, each sorted
// ascending once, so that the weight can be evaluated at many omegas without
// sorting again. Tetrahedra that cannot contribute at the omegas of interest
// may be left out; the others keep their original order, so sums are formed
// in phonopy's order and agree bit for bit.
struct SortedTetrahedra {
  int count = 0;         // number of stored tetrahedra (<= 24)
  double omegas[24][4];  // ascending per tetrahedron
  int centre[24];        // position of the central vertex (input vertex 0) after sorting
};

// Sorts the vertex values of all 24 tetrahedra (vertex 0 = central grid
// point). Equal values are ordered exactly as phonopy does, so the same
// formula branch is taken. The flat form takes 96 values, tetrahedron after
// tetrahedron.
void sort_tetrahedra(const double* tetrahedra_omegas_flat, SortedTetrahedra& sorted);
void sort_tetrahedra(const double tetrahedra_omegas[24][4], SortedTetrahedra& sorted);

// Same, keeping only the tetrahedra whose open range (lowest, highest vertex
// value) contains at least one of the ascending omegas[0..num_omegas): at
// every other omega (including the vertex values themselves) a tetrahedron
// contributes exactly zero. Returns the number kept.
int sort_tetrahedra(const double* tetrahedra_omegas_flat, const double* ascending_omegas,
                    std::size_t num_omegas, SortedTetrahedra& sorted);

// Integration weight of the central vertex for delta(omega - e), the 'I'
// function of phonopy's thm_get_integration_weight (1/[omega] per grid point;
// summed over grid points with their values it gives the density of states).
double tetrahedra_delta_weight(double omega, const SortedTetrahedra& sorted);
double tetrahedra_delta_weight(double omega, const double tetrahedra_omegas[24][4]);

// The same in structure-of-arrays form, evaluated several tetrahedra at a time (SIMD)
// with the same operations per tetrahedron, so the weights are bit for bit those of
// the functions above.
struct SortedTetrahedraSoA {
  int count = 0;                  // tetrahedra kept (<= 24), in their original order
  alignas(64) double e[4][24];    // e[k][t]: k-th smallest vertex value of tetrahedron t
  alignas(64) double centre[24];  // position 0..3 of the central vertex after sorting
};

// vertex_values[v][t]: value at vertex v (0 = centre) of tetrahedron t. Sorts all 24 and
// keeps those whose open range (e0, e3) contains one of the ascending omegas.
int sort_tetrahedra_soa(const double (*vertex_values)[24], const double* ascending_omegas,
                        std::size_t num_omegas, SortedTetrahedraSoA& sorted);
double tetrahedra_delta_weight(double omega, const SortedTetrahedraSoA& sorted);

// The building blocks of the above for callers that collect many (tetrahedron, omega)
// pairs first. sort_tetrahedra_lanes: all 24 tetrahedra of vertex_values[v][t] sorted,
// e[k][t] the k-th smallest value, centre[t] the position of vertex 0 (as
// sort_tetrahedra_soa, nothing left out). tetrahedron_contributions: for entries
// t < count, the contribution of sorted tetrahedron (e0[t] .. e3[t], centre[t]) at
// omega[t] to the central vertex's weight, the terms tetrahedra_delta_weight adds up
// (the weight is their sum over the tetrahedra in order, divided by 6), bit for bit;
// exactly 0 unless e0[t] < omega[t] < e3[t].
void sort_tetrahedra_lanes(const double (*vertex_values)[24], double (*e)[24], double* centre);
void tetrahedron_contributions(const double* e0, const double* e1, const double* e2, const double* e3,
                               const double* centre, const double* omega, std::size_t count, double* out);

}  // namespace ph3mpi::interaction
