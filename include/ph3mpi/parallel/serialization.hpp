// Boost.Serialization for the containers that travel between ranks (NdArray,
// NamedArrays), so a coordinator result type can be made of them. Binary archives
// carry doubles bit for bit.
#pragma once

#include <boost/serialization/map.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <cstdint>

#include "ph3mpi/common/named_arrays.hpp"
#include "ph3mpi/common/ndarray.hpp"

namespace boost::serialization {

template <typename Archive, typename T>
void serialize(Archive& archive, ph3mpi::NdArray<T>& array, const unsigned int /*version*/) {
  archive& array.shape;
  archive& array.data;
}

template <typename Archive>
void serialize(Archive& archive, ph3mpi::NamedArrays& arrays, const unsigned int /*version*/) {
  archive& arrays.reals;
  archive& arrays.ints;
}

}  // namespace boost::serialization
